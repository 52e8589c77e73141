/**
 * The tcpdump command lines the root helper will run, checked exactly: which
 * frames a bridge capture keeps is decided here (ether src = sent by the
 * container = egress), and a swap would still capture "something".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SNAP_LENGTH, directionOf, planBridgeCapture, planNamespaceCapture } from '../../src/helper/capturePlan';
import type { CaptureRequest } from '../../src/protocol/captureRequest';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';

const tools = { tcpdump: '/usr/bin/tcpdump', nsenter: '/usr/bin/nsenter' };
const MAC = '02:42:ac:11:00:02';
const MAC2 = '02:42:ac:12:00:05';
const target: ResolvedContainer = {
  id: 'a'.repeat(64),
  name: 'web',
  pid: 4242,
  running: true,
  networkMode: 'bridge',
  networks: [{ name: 'bridge', ipv4: '172.17.0.2', mac: MAC.toUpperCase() }],
};
const twoNetworks: ResolvedContainer = { ...target, networks: [...target.networks, { name: 'back', mac: MAC2 }] };

function request(direction: CaptureRequest['direction'], filter?: string): CaptureRequest {
  return { container: 'web', direction, mode: { kind: 'bridge', bridge: 'docker0' }, filter };
}

/** The expression is tcpdump's last argument, after `--`. */
function expressionOf(argv: string[]): string | undefined {
  const end = argv.lastIndexOf('--');
  assert.ok(end > 0, 'argv has `--` before the expression');
  assert.ok(argv.length - end <= 2, 'at most one argument after `--`');
  return argv[end + 1];
}

describe('planBridgeCapture', () => {
  it('egress keeps frames whose SOURCE is the container (ether src), marked out', () => {
    const spec = planBridgeCapture(target, request('egress'), 'docker0', tools);
    assert.equal(expressionOf(spec.argv), `(ether src ${MAC})`);
    assert.equal(spec.fixedDirection, 'out');
  });

  it('ingress keeps frames whose DESTINATION is the container (ether dst), marked in', () => {
    const spec = planBridgeCapture(target, request('ingress'), 'docker0', tools);
    assert.equal(expressionOf(spec.argv), `(ether dst ${MAC})`);
    assert.equal(spec.fixedDirection, 'in');
  });

  it('both directions keep either, and leave the direction to the source MAC', () => {
    const spec = planBridgeCapture(twoNetworks, request('both'), 'docker0', tools);
    assert.equal(expressionOf(spec.argv), `(ether host ${MAC} or ether host ${MAC2})`);
    assert.equal(spec.fixedDirection, undefined);
    assert.deepEqual(spec.containerMacs, [MAC, MAC2]);
    assert.equal(directionOf(spec, MAC2), 'out');
    assert.equal(directionOf(spec, '02:42:ac:11:00:09'), 'in');
    assert.equal(directionOf(spec, undefined), 'in');
  });

  it("the user's filter is ANDed inside its own parentheses", () => {
    const spec = planBridgeCapture(target, request('egress', '  tcp port 80 or udp  '), 'docker0', tools);
    assert.equal(expressionOf(spec.argv), `(ether src ${MAC}) and (tcp port 80 or udp)`);
  });

  it('runs tcpdump on the bridge itself, unbuffered, dropping root, writing pcap to stdout', () => {
    const spec = planBridgeCapture(target, { ...request('both'), snapLength: 96 }, 'br-1234', tools);
    assert.equal(spec.interfaceName, 'br-1234');
    assert.equal(spec.namespacePid, undefined);
    const end = spec.argv.indexOf('--');
    assert.deepEqual(spec.argv.slice(0, end), ['/usr/bin/tcpdump', '-i', 'br-1234', '-U', '--immediate-mode', '-w', '-', '-Z', 'nobody', '-B', '4096', '-s', '96']);
  });

  it('refuses a container without a MAC, and a bridge name that could be an option', () => {
    assert.throws(() => planBridgeCapture({ ...target, networks: [{ name: 'none' }] }, request('both'), 'docker0', tools), /no MAC address/);
    assert.throws(() => planBridgeCapture(target, request('both'), '-w', tools), /not a valid interface name/);
    assert.throws(() => planBridgeCapture(target, request('both', 'tcp) or (udp'), 'docker0', tools), /unmatched/);
  });
});

describe('planNamespaceCapture', () => {
  const interfaces = [
    // Loopback has an all-zero MAC: never one of the container's own.
    { name: 'lo', mac: '00:00:00:00:00:00', loopback: true },
    { name: 'eth0', mac: MAC, loopback: false },
  ];

  it('enters the namespace with nsenter and uses tcpdump -Q with the container\'s own in/out', () => {
    const egress = planNamespaceCapture(target, { ...request('egress'), mode: { kind: 'namespace' } }, interfaces, tools);
    const eth0 = egress.find((p) => p.interfaceName === 'eth0')!;
    assert.deepEqual(eth0.argv.slice(0, 5), ['/usr/bin/nsenter', '-t', '4242', '-n', '--']);
    assert.deepEqual(eth0.argv.slice(eth0.argv.indexOf('-Q'), eth0.argv.indexOf('-Q') + 2), ['-Q', 'out']);
    assert.equal(eth0.fixedDirection, 'out');
    assert.equal(eth0.namespacePid, 4242);
    const ingress = planNamespaceCapture(target, { ...request('ingress'), mode: { kind: 'namespace' } }, interfaces, tools);
    const in0 = ingress.find((p) => p.interfaceName === 'eth0')!;
    assert.equal(in0.argv[in0.argv.indexOf('-Q') + 1], 'in');
    assert.equal(in0.fixedDirection, 'in');
  });

  it('both directions: no -Q, the snap length defaults to whole frames, the filter is the last argument', () => {
    const both = planNamespaceCapture(target, { ...request('both', 'icmp'), mode: { kind: 'namespace' } }, interfaces, tools);
    const eth0 = both.find((p) => p.interfaceName === 'eth0')!;
    assert.equal(eth0.argv.includes('-Q'), false);
    assert.equal(eth0.fixedDirection, undefined);
    assert.equal(eth0.argv[eth0.argv.indexOf('-s') + 1], String(DEFAULT_SNAP_LENGTH));
    assert.equal(expressionOf(eth0.argv), 'icmp');
    assert.deepEqual(eth0.containerMacs, [MAC]);
  });

  it('loopback is never split with -Q; its packets take the direction asked for (out for both)', () => {
    for (const [direction, expected] of [['both', 'out'], ['egress', 'out'], ['ingress', 'in']] as const) {
      const lo = planNamespaceCapture(target, { ...request(direction), mode: { kind: 'namespace' } }, interfaces, tools).find((p) => p.interfaceName === 'lo')!;
      assert.equal(lo.interfaceName, 'lo');
      assert.deepEqual(lo.argv.slice(0, 8), ['/usr/bin/nsenter', '-t', '4242', '-n', '--', '/usr/bin/tcpdump', '-i', 'lo']);
      assert.deepEqual(lo.containerMacs, [MAC]);
      assert.equal(lo.argv.includes('-Q'), false, direction);
      assert.equal(lo.fixedDirection, expected, direction);
    }
  });
});
