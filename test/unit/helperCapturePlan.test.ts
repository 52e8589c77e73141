/**
 * The argv the root helper runs, built from a request: for every direction,
 * mode, filter and snap length, exactly what reaches execve. Pure code; the
 * same argv runs as root in the security and integration suites.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confineTcpdump, confineUnprivileged, DEFAULT_SNAP_LENGTH, directionOf, enterPinnedNamespace, planBridgeCapture, planNamespaceCapture, type CaptureTools, type NamespaceInterface } from '../../src/helper/capturePlan';
import type { CaptureRequest } from '../../src/protocol/captureRequest';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';

const tools: CaptureTools = { tcpdump: '/usr/bin/tcpdump', nsenter: '/usr/bin/nsenter', setpriv: '/usr/bin/setpriv', ip: '/usr/sbin/ip' };
const target: ResolvedContainer = {
  id: 'a'.repeat(64),
  name: 'web',
  pid: 4242,
  running: true,
  networkMode: 'bridge',
  // What Docker claims: the plan must not use it (the namespace's own MACs count).
  networks: [{ name: 'bridge', ipv4: '172.17.0.2', mac: '02:42:de:ad:be:ef' }],
};
const eth0: NamespaceInterface = { name: 'eth0', loopback: false, mac: '02:42:ac:11:00:02', index: 14, peerIndex: 15 };
const eth1: NamespaceInterface = { name: 'eth1', loopback: false, mac: '02:42:ac:12:00:02' };
const lo: NamespaceInterface = { name: 'lo', loopback: true };
const request = (over: Partial<CaptureRequest> = {}): CaptureRequest => ({ container: 'web', direction: 'both', mode: { kind: 'namespace' }, ...over });

const NSENTER = ['/usr/bin/nsenter', '--net=/proc/self/fd/3', '--'];
const CONFINED = ['/usr/bin/setpriv', '--clear-groups', '--no-new-privs', '--bounding-set=-all,+net_raw,+setuid,+setgid', '--'];
const tcpdump = (iface: string, snap = DEFAULT_SNAP_LENGTH): string[] => ['/usr/bin/tcpdump', '-i', iface, '-U', '--immediate-mode', '-w', '-', '-Z', 'nobody', '-B', '65536', '-s', String(snap)];

describe('capture plan: namespace mode', () => {
  it('one pipeline per interface, entering the pinned namespace by descriptor (never by PID), tcpdump confined', () => {
    const specs = planNamespaceCapture(target, request(), [eth0, eth1, lo], tools, 17);
    assert.deepEqual(specs.map((s) => s.interfaceName), ['eth0', 'eth1', 'lo']);
    assert.deepEqual(specs[0]?.argv, [...NSENTER, ...CONFINED, ...tcpdump('eth0'), '--']);
    assert.deepEqual(specs[2]?.argv, [...NSENTER, ...CONFINED, ...tcpdump('lo'), '--']);
    for (const s of specs) {
      assert.equal(s.namespaceFd, 17);
      assert.equal(s.namespacePid, 4242);
      assert.ok(!s.argv.includes('-t') && !s.argv.includes(String(target.pid)), 'no PID reaches nsenter');
      assert.deepEqual(s.containerMacs, ['02:42:ac:11:00:02', '02:42:ac:12:00:02'], "the namespace's MACs, not Docker's");
    }
  });

  it('direction: -Q out / -Q in / none on real interfaces; loopback never gets -Q and is labelled as asked', () => {
    const cases: [CaptureRequest['direction'], string[], 'in' | 'out' | undefined, 'in' | 'out'][] = [
      ['egress', ['-Q', 'out'], 'out', 'out'],
      ['ingress', ['-Q', 'in'], 'in', 'in'],
      ['both', [], undefined, 'out'],
    ];
    for (const [direction, queue, fixed, loopbackFixed] of cases) {
      const [e, l] = planNamespaceCapture(target, request({ direction }), [eth0, lo], tools, 3);
      assert.deepEqual(e?.argv, [...NSENTER, ...CONFINED, ...tcpdump('eth0'), ...queue, '--'], direction);
      assert.equal(e?.fixedDirection, fixed, direction);
      assert.deepEqual(l?.argv, [...NSENTER, ...CONFINED, ...tcpdump('lo'), '--'], direction);
      assert.equal(l?.fixedDirection, loopbackFixed, direction);
    }
  });

  it('snap length and filter: -s N, and the filter as the one argument after "--"', () => {
    const [spec] = planNamespaceCapture(target, request({ snapLength: 96, filter: '  tcp port 80  ' }), [eth0], tools, 3);
    assert.deepEqual(spec?.argv, [...NSENTER, ...CONFINED, ...tcpdump('eth0', 96), '--', 'tcp port 80']);
    const [whole] = planNamespaceCapture(target, request({ filter: '   ' }), [eth0], tools, 3);
    assert.equal(whole?.argv[whole.argv.length - 1], '--', 'a blank filter adds nothing');
  });

  it('refuses what must not reach argv: a bad filter, an interface name that could be an option, a bad MAC', () => {
    assert.throws(() => planNamespaceCapture(target, request({ filter: '-w /tmp/x' }), [eth0], tools, 3), /must not start with "-"/);
    assert.throws(() => planNamespaceCapture(target, request({ filter: 'tcp) or (udp' }), [eth0], tools, 3), /unmatched/);
    assert.throws(() => planNamespaceCapture(target, request(), [{ name: '-w', loopback: false }], tools, 3), /not a valid interface name/);
    assert.throws(() => planNamespaceCapture(target, request(), [{ name: 'eth0', loopback: false, mac: 'zz:zz' }], tools, 3), /not a MAC address/);
  });
});

describe('capture plan: bridge mode', () => {
  it('one tcpdump on the bridge (host side, no nsenter), narrowed to the namespace MACs, the user filter parenthesised after', () => {
    const both = planBridgeCapture(target, request({ mode: { kind: 'bridge', bridge: 'docker0' }, filter: 'tcp or udp' }), 'docker0', [eth0, eth1, lo], tools);
    assert.deepEqual(both.argv, [...CONFINED, ...tcpdump('docker0'), '--', '(ether host 02:42:ac:11:00:02 or ether host 02:42:ac:12:00:02) and (tcp or udp)']);
    assert.equal(both.fixedDirection, undefined);
    assert.equal(both.namespaceFd, undefined);
    const egress = planBridgeCapture(target, request({ direction: 'egress' }), 'docker0', [eth0], tools);
    assert.equal(egress.argv[egress.argv.length - 1], '(ether src 02:42:ac:11:00:02)');
    assert.equal(egress.fixedDirection, 'out');
    const ingress = planBridgeCapture(target, request({ direction: 'ingress' }), 'docker0', [eth0], tools);
    assert.equal(ingress.argv[ingress.argv.length - 1], '(ether dst 02:42:ac:11:00:02)');
    assert.equal(ingress.fixedDirection, 'in');
    assert.ok(!both.argv.join(' ').includes('de:ad:be:ef'), "Docker's claimed MAC is not used");
  });

  it('refuses a bridge name that could be an option, a container without MACs, a filter that closes our parenthesis', () => {
    assert.throws(() => planBridgeCapture(target, request(), '--version', [eth0], tools), /not a valid interface name/);
    assert.throws(() => planBridgeCapture(target, request(), 'docker0', [lo], tools), /no MAC address/);
    assert.throws(() => planBridgeCapture(target, request({ filter: 'tcp) or (host 10.0.0.1' }), 'docker0', [eth0], tools), /unmatched/);
  });
});

describe('capture plan: confinement prefixes', () => {
  it('nsenter enters fd 3; tcpdump keeps net_raw/setuid/setgid only; unprivileged children drop everything', () => {
    assert.deepEqual(enterPinnedNamespace(tools), NSENTER);
    assert.deepEqual(confineTcpdump(tools), CONFINED);
    assert.deepEqual(confineUnprivileged(tools, 65534, 65534), ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--']);
  });

  it('directionOf: fixed direction wins; otherwise a frame from one of the container MACs was sent', () => {
    const [spec] = planNamespaceCapture(target, request(), [eth0], tools, 3);
    assert.ok(spec);
    assert.equal(directionOf(spec, '02:42:ac:11:00:02'), 'out');
    assert.equal(directionOf(spec, '02:42:ac:11:00:03'), 'in');
    assert.equal(directionOf(spec, undefined), 'in');
    assert.equal(directionOf({ ...spec, fixedDirection: 'out' }, '02:42:ac:11:00:03'), 'out');
  });
});
