/**
 * The helper-container backend's pure parts: what `tcpdump -D` yields, the
 * tcpdump command lines, the container's least-privilege settings, the
 * leftover rule and the attach-stream demultiplexer.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { blockWritingArgv, parseInterfaceList, planContainerCapture } from '../../src/client/helperContainer/containerCapturePlan';
import { helperContainerOptions, HELPER_LABEL, OWNER_LABEL, TARGET_LABEL } from '../../src/client/helperContainer/helperContainerSpec';
import { isLeftover } from '../../src/client/helperContainer/leftoverSweep';
import { needsUserSwitch } from '../../src/client/helperContainer/capabilityProbe';
import { demultiplexAttach } from '../../src/client/helperContainer/attachDemux';
import { validateHelperImage } from '../../src/client/helperContainer/helperImage';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';

// Measured: Debian's tcpdump 4.99 in a container's namespace.
const LISTED = `1.eth0 [Up, Running, Connected]
2.any (Pseudo-device that captures on all interfaces) [Up, Running]
3.lo [Up, Running, Loopback]
4.bluetooth-monitor (Bluetooth Linux Monitor) [Wireless]
5.nflog (Linux netfilter log (NFLOG) interface) [none]
6.nfqueue (Linux netfilter queue (NFQUEUE) interface) [none]
7.dbus-system (D-Bus system bus) [none]
8.dbus-session (D-Bus session bus) [none]
9.eth1 [Up, Running, Connected]
10.tunl0 [none]
11.usbmon1 (Raw USB traffic, bus number 1) [Up]
`;

const ID = 'a'.repeat(64);
const TARGET: ResolvedContainer = { id: ID, name: 'web', pid: 42, running: true, networkMode: 'bridge', networks: [{ name: 'bridge', mac: '02:42:AC:11:00:02' }] };

describe('helper-container plan', () => {
  it('keeps the namespace\'s interfaces that are up, loopback last, and no pseudo-device', () => {
    assert.deepEqual(parseInterfaceList(LISTED), [
      { name: 'eth0', loopback: false },
      { name: 'eth1', loopback: false },
      { name: 'lo', loopback: true },
    ]);
    assert.deepEqual(parseInterfaceList('1.eth0\n2.lo\n3.any\n'), [{ name: 'eth0', loopback: false }, { name: 'lo', loopback: true }]);
  });

  it('builds tcpdump argv without nsenter, -Q for one direction, loopback fixed, filter after --', () => {
    const ifaces = parseInterfaceList(LISTED);
    const both = planContainerCapture(TARGET, { container: 'web', direction: 'both', mode: { kind: 'namespace' }, filter: 'tcp port 80', snapLength: 96 }, ifaces);
    assert.deepEqual(both[0]?.argv, ['tcpdump', '-i', 'eth0', '-U', '--immediate-mode', '-w', '-', '-B', '65536', '-s', '96', '--', 'tcp port 80']);
    assert.equal(both[0]?.fixedDirection, undefined);
    assert.deepEqual(both[0]?.containerMacs, ['02:42:ac:11:00:02']);
    assert.equal(both[2]?.fixedDirection, 'out');
    const ingress = planContainerCapture(TARGET, { container: 'web', direction: 'ingress', mode: { kind: 'namespace' } }, ifaces);
    assert.deepEqual(ingress[0]?.argv.slice(-3), ['-Q', 'in', '--']);
    assert.equal(ingress[0]?.fixedDirection, 'in');
    assert.equal(ingress[2]?.fixedDirection, 'in');
    assert.ok(!ingress[2]?.argv.includes('-Q'), 'no -Q on loopback: libpcap sees its packets once, as received');
  });

  it('with no MAC named by the engine (Podman slirp4netns), each direction of a network gets its own tcpdump', () => {
    const slirp: ResolvedContainer = { ...TARGET, networkMode: 'slirp4netns', networks: [] };
    const ifaces = [{ name: 'tap0', loopback: false }, { name: 'lo', loopback: true }];
    const both = planContainerCapture(slirp, { container: 'web', direction: 'both', mode: { kind: 'namespace' } }, ifaces);
    assert.deepEqual(both.map((s) => [s.interfaceName, s.fixedDirection, s.argv.slice(-3).join(' ')]), [
      ['tap0', 'in', '-Q in --'],
      ['tap0', 'out', '-Q out --'],
      ['lo', 'out', '-s 262144 --'],
    ]);
    // One direction asked for: one tcpdump, as with a known MAC.
    const egress = planContainerCapture(slirp, { container: 'web', direction: 'egress', mode: { kind: 'namespace' } }, ifaces);
    assert.deepEqual(egress.map((s) => [s.interfaceName, s.fixedDirection]), [['tap0', 'out'], ['lo', 'out']]);
  });

  it('refuses a bad filter, bridge mode and an interface name that could be an option', () => {
    const req = { container: 'web', direction: 'both' as const, mode: { kind: 'namespace' as const } };
    assert.throws(() => planContainerCapture(TARGET, { ...req, filter: '-w /tmp/x' }, []), /must not start with "-"/);
    assert.throws(() => planContainerCapture(TARGET, { ...req, mode: { kind: 'bridge', bridge: 'docker0' } }, []), /host backend/);
    assert.throws(() => planContainerCapture(TARGET, req, [{ name: '-Zroot', loopback: false }]), /not a valid interface name/);
  });

  it('the block writer is the same tcpdump without -U and --immediate-mode; the filter is left as it is', () => {
    const [eth0] = planContainerCapture(TARGET, { container: 'web', direction: 'egress', mode: { kind: 'namespace' }, filter: 'udp' }, [{ name: 'eth0', loopback: false }]);
    const argv = eth0!.argv;
    assert.ok(argv.includes('-U') && argv.includes('--immediate-mode'), 'the first tcpdump writes each packet as it comes');
    const blocks = blockWritingArgv(argv);
    assert.deepEqual(blocks, argv.filter((a) => a !== '-U' && a !== '--immediate-mode'));
    assert.deepEqual(blocks.slice(blocks.indexOf('--')), ['--', 'udp']);
    assert.deepEqual(blockWritingArgv(['tcpdump', '-i', 'eth0', '--', '-U']), ['tcpdump', '-i', 'eth0', '--', '-U'], 'after --, -U would be filter text: kept');
  });

  it('creates the helper with least privilege, joined to the target only', () => {
    const o = helperContainerOptions({ image: 'img', targetId: ID, args: ['-D'], capabilities: 'net-raw', name: 'n' });
    assert.deepEqual(o.Entrypoint, ['tcpdump']);
    assert.equal(o.HostConfig?.NetworkMode, `container:${ID}`);
    assert.deepEqual(o.HostConfig?.CapDrop, ['ALL']);
    assert.deepEqual(o.HostConfig?.CapAdd, ['NET_RAW']);
    assert.deepEqual(o.HostConfig?.SecurityOpt, ['no-new-privileges']);
    assert.equal(o.HostConfig?.ReadonlyRootfs, true);
    assert.equal(o.HostConfig?.AutoRemove, true);
    assert.deepEqual(o.HostConfig?.Binds, []);
    assert.deepEqual(o.HostConfig?.LogConfig, { Type: 'none', Config: {} });
    // Within any host's hard limits (Podman's defaults are not, on many VMs: runc then refuses to start it).
    assert.deepEqual(o.HostConfig?.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 1024 }, { Name: 'nproc', Soft: 4096, Hard: 4096 }]);
    assert.equal(o.Labels?.[HELPER_LABEL], '1');
    assert.equal(o.Labels?.[TARGET_LABEL], ID);
    assert.match(o.Labels?.[OWNER_LABEL] ?? '', new RegExp(`^${hostname()}:${process.pid}:`));
    const dropping = helperContainerOptions({ image: 'img', targetId: ID, args: [], capabilities: 'net-raw-and-drop', name: 'n' });
    assert.deepEqual(dropping.HostConfig?.CapAdd, ['NET_RAW', 'SETUID', 'SETGID']);
    assert.throws(() => helperContainerOptions({ image: 'img', targetId: 'web; rm -rf /', args: [], capabilities: 'net-raw', name: 'n' }), /not a container id/);
  });

  it('refuses helper image names that are not image references', () => {
    assert.equal(validateHelperImage('nicolaka/netshoot:v0.13'), 'nicolaka/netshoot:v0.13');
    assert.throws(() => validateHelperImage('--privileged'), /dockerNetworkCapture\.helperImage/);
    assert.throws(() => validateHelperImage('a b'), /--helper-image/);
  });

  it('tells a leftover from a live capture', () => {
    const me = `${hostname()}:${process.pid}:-`;
    assert.equal(isLeftover(me, 'running'), false, 'this process is alive');
    assert.equal(isLeftover(`${hostname()}:999999999:-`, 'running'), true, 'owner gone');
    assert.equal(isLeftover('elsewhere:1:-', 'running'), false, 'another machine\'s live capture is left alone');
    assert.equal(isLeftover('elsewhere:1:-', 'exited'), true);
    assert.equal(isLeftover(me, 'created'), false, 'a live capture about to start');
  });

  it('recognises tcpdump\'s refusal to switch users', () => {
    assert.equal(needsUserSwitch("Couldn't change to 'tcpdump' uid=102 gid=105: Operation not permitted"), true);
    assert.equal(needsUserSwitch("Couldn't find user 'tcpdump'"), true);
    assert.equal(needsUserSwitch('eth9: No such device exists'), false);
  });

  it('demultiplexes the attach stream, across chunk boundaries', async () => {
    const source = new PassThrough();
    const out = new PassThrough();
    const err = new PassThrough();
    const frame = (type: number, text: string): Buffer => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = type;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const all = Buffer.concat([frame(1, 'pcap-1'), frame(2, 'listening on eth0\n'), frame(1, 'pcap-2')]);
    const ended = new Promise<void>((resolve) => demultiplexAttach(source, out, err, () => resolve()));
    let stdout = '';
    let stderr = '';
    out.on('data', (d: Buffer) => (stdout += d.toString()));
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < all.length; i += 5) source.write(all.subarray(i, i + 5));
    source.end();
    await ended;
    assert.equal(stdout, 'pcap-1pcap-2');
    assert.equal(stderr, 'listening on eth0\n');
  });
});
