/**
 * The pure parts of capturing several containers in one inspector tab: the
 * row naming the Container column reads (`web-1/eth0`, `web-1 -> db-1/eth0`),
 * the live timeline's release rule, the column's presence, the tree's
 * multi-selection, the backend decision, the
 * group's join/leave/follow rules with a scripted engine, and the names
 * surviving the spool (a reloaded tab).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CaptureEvents, CaptureHandle, CaptureEndInfo } from '../../src/client/captureClient';
import { ContainerGroupCapture } from '../../src/client/containerGroupCapture';
import type { ContainerEvent, ContainerLister, ContainerSummary } from '../../src/client/dockerClient';
import { FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import { StringTable } from '../../src/core/packetStore';
import { CapturedAddresses } from '../../src/core/timeline/capturedAddresses';
import type { ContainerFrame, TimelinePacket } from '../../src/core/timeline/containerFrame';
import { LiveTimeline, MAX_HELD_BYTES, MAX_HELD_FRAMES } from '../../src/core/timeline/liveTimeline';
import { containerColumnText, splitTimelineInterface, timelineInterfaceName } from '../../src/core/timeline/timelineInterface';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';
import { multiContainerBackend, notJoinedNotice } from '../../src/extension/capture/multiContainerBackend';
import { selectedRunningContainers } from '../../src/extension/commands/treeSelection';
import { CaptureSpool } from '../../src/extension/spool/captureSpool';
import { ensureSpoolFolder } from '../../src/extension/spool/spoolFolder';
import { readSpool } from '../../src/extension/spool/spoolReader';
import { ContainerColumnPresence, containerCells } from '../../webview/containerCells';
import { packetBytes, sighting } from './timelineFrames';

const WEB = '172.18.0.2';
const DB = '172.18.0.3';

describe('a row of several containers names where it was captured', () => {
  const bytes = packetBytes({ src: WEB, dst: DB });
  const frame = sighting('web-1', 'out', 0, bytes);

  it('in its interface name: the container, or both ends of a packet shown once', () => {
    assert.equal(timelineInterfaceName({ frame }), 'web-1/eth0');
    const received = sighting('db-1', 'in', 40, bytes);
    assert.equal(timelineInterfaceName({ frame, delivery: { state: 'received', sentBy: 'web-1', receivedBy: 'db-1', received } }), 'web-1 -> db-1/eth0');
    assert.equal(timelineInterfaceName({ frame, delivery: { state: 'not-seen-arriving', sentBy: 'web-1', receivedBy: 'db-1' } }), 'web-1 -> db-1 (not seen arriving)/eth0');
  });

  it('the Container and Interface columns read it back; a one-container capture keeps its plain name', () => {
    assert.deepEqual(splitTimelineInterface('web-1 -> db-1/eth0'), { container: 'web-1 -> db-1', iface: 'eth0' });
    assert.deepEqual(splitTimelineInterface('eth0'), { container: undefined, iface: 'eth0' });
    assert.equal(containerColumnText('web-1 -> db-1'), 'web-1 → db-1');
    assert.deepEqual(containerCells('lo'), { container: '', iface: 'lo', title: '' });
    assert.equal(containerCells('web-1 -> db-1/eth0').container, 'web-1 → db-1');
  });

  it('a name too long for the frame batch keeps the container and the interface', () => {
    const long = 'x'.repeat(200);
    const name = timelineInterfaceName({ frame: sighting(long, 'out', 0, bytes), delivery: { state: 'not-seen-arriving', sentBy: long, receivedBy: long } });
    assert.ok(name.length <= 255, `${name.length} characters`);
    assert.equal(splitTimelineInterface(name).iface, 'eth0');
    assert.ok(long.startsWith(splitTimelineInterface(name).container ?? '?'));
  });

  it('the Container column shows once some row names a container, and again only for such a store', () => {
    const presence = new ContainerColumnPresence();
    const table = new StringTable();
    table.intern('eth0');
    table.intern('lo');
    assert.equal(presence.update(table), false);
    table.intern('web-1/eth0');
    assert.equal(presence.update(table), true);
    const fresh = new StringTable();
    fresh.intern('eth0');
    assert.equal(presence.update(fresh), false, 'a new store (init, Clear) starts without it');
  });
});

describe('the live timeline', () => {
  const addresses = new CapturedAddresses();
  addresses.add(WEB, 'web-1');
  addresses.add(DB, 'db-1');
  const t0 = 1_700_000_000 * 1e6;

  it('holds a packet until its arrival could have come, then shows it once', () => {
    const out: TimelinePacket[] = [];
    const timeline = new LiveTimeline((p) => out.push(p), addresses, true);
    const bytes = packetBytes({ src: WEB, dst: DB, ipId: 7 });
    timeline.add(sighting('web-1', 'out', 0, bytes), t0 + 1_000);
    timeline.release(t0 + 2_000);
    assert.equal(out.length, 0, 'the arrival may still be on its way');
    timeline.add(sighting('db-1', 'in', 50, bytes), t0 + 3_000);
    timeline.release(t0 + 2_000_000);
    assert.equal(out.length, 1);
    assert.equal(out[0]?.delivery?.state, 'received');
    assert.equal(timeline.paired, 1);
    assert.equal(timeline.frames, 2);
  });

  it('a packet whose arrival never came is shown at the end as not seen arriving', () => {
    const out: TimelinePacket[] = [];
    const timeline = new LiveTimeline((p) => out.push(p), addresses, true);
    timeline.add(sighting('web-1', 'out', 0, packetBytes({ src: WEB, dst: DB, ipId: 8 })), t0 + 1_000);
    timeline.finish();
    assert.deepEqual(out.map((p) => p.delivery?.state), ['not-seen-arriving']);
  });

  it('behind a lag of seconds at a flood, holds no more than MAX_HELD_FRAMES: the oldest go out in order, each once', () => {
    const out: TimelinePacket[] = [];
    const timeline = new LiveTimeline((p) => out.push(p), addresses, true);
    // A first frame 4 s late sets the hold near its ceiling; then a flood of frames 1 µs apart.
    timeline.add(sighting('web-1', 'out', 0, packetBytes({ src: WEB, dst: '10.9.9.9', ipId: 1 })), t0 + 4_000_000);
    const flood = MAX_HELD_FRAMES + 20_000;
    for (let i = 1; i <= flood; i++) timeline.add(sighting('web-1', 'out', 4_000_000 + i, packetBytes({ src: WEB, dst: '10.9.9.9', ipId: i & 0xffff })), t0 + 4_100_000);
    timeline.release(t0 + 4_100_000);
    assert.ok(out.length >= flood + 1 - MAX_HELD_FRAMES, `${out.length} rows released of ${flood + 1}`);
    assert.ok(out.length < flood + 1, 'the newest are still held for their hold');
    const times = out.map((p) => p.frame.tsSec * 1e6 + p.frame.tsUsec);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'in time order');
    timeline.finish();
    assert.equal(out.length, flood + 1, 'each frame once');
  });

  it('holds no more than MAX_HELD_BYTES of large frames, whatever their number', () => {
    const out: TimelinePacket[] = [];
    const timeline = new LiveTimeline((p) => out.push(p), addresses, true);
    const payload = 'x'.repeat(1200);
    timeline.add(sighting('web-1', 'out', 0, packetBytes({ src: WEB, dst: '10.9.9.9', ipId: 1, payload })), t0 + 4_000_000);
    const bytesEach = packetBytes({ src: WEB, dst: '10.9.9.9', payload }).length;
    const flood = Math.ceil((MAX_HELD_BYTES * 1.5) / bytesEach);
    assert.ok(flood < MAX_HELD_FRAMES, 'under the frame limit: only the byte limit applies');
    for (let i = 1; i <= flood; i++) timeline.add(sighting('web-1', 'out', 4_000_000 + i, packetBytes({ src: WEB, dst: '10.9.9.9', ipId: i & 0xffff, payload })), t0 + 4_100_000);
    timeline.release(t0 + 4_100_000);
    const held = flood + 1 - out.length;
    assert.ok(held * bytesEach <= MAX_HELD_BYTES, `${held} frames of ${bytesEach} bytes still held`);
    assert.ok(held > 0, 'the newest are still held for their hold');
    timeline.finish();
    assert.equal(out.length, flood + 1, 'each frame once');
  });
});

describe('the tree\'s multi-selection', () => {
  const item = (name: string, state: ContainerSummary['state'] = 'running'): { container: ContainerSummary } => ({ container: { id: `${name}-id`, name, image: 'i', state, status: '', labels: {}, networks: [] } });

  it('captures the selected running containers together when the clicked row is one of them', () => {
    const a = item('a');
    const b = item('b');
    const stopped = item('c', 'exited');
    assert.deepEqual(selectedRunningContainers(a, [a, b, stopped])?.map((c) => c.name), ['a', 'b']);
    assert.equal(selectedRunningContainers(a, [a]), undefined, 'one row: the usual capture');
    assert.equal(selectedRunningContainers(a, undefined), undefined, 'the Command Palette passes no selection');
    assert.equal(selectedRunningContainers(item('d'), [a, b]), undefined, 'a right-click outside the selection acts on that row');
    assert.equal(selectedRunningContainers(a, [a, stopped]), undefined, 'one running: the usual capture');
  });
});

describe('the backend of a capture of several containers', () => {
  const docker = {} as Parameters<typeof multiContainerBackend>[1];
  const host = { helperScript: '/x/helper.js', nodeExecutable: '/usr/bin/node', verbose: false };
  const target = { name: 'shop_web_2' } as ResolvedContainer;
  it('helper containers follow a project without asking; the host helper as root does too', async () => {
    const containers = multiContainerBackend({ backend: 'helperContainer', reason: 'chosen in the settings' }, docker, { setting: 'helperContainer', helperImage: '', verbose: false, host: { ...host, elevation: 'sudo-prompt' } });
    assert.equal(containers.admitLater, undefined);
    assert.match(containers.description, /helper containers/);
    const root = multiContainerBackend({ backend: 'hostHelper', reason: 'running as root' }, docker, { setting: 'auto', helperImage: '', verbose: false, host: { ...host, elevation: 'direct' } });
    assert.match(root.description, /one host helper for every container/);
    assert.equal(await root.admitLater?.(target), true);
  });
  it('the notice for a container not joined names it, the project, and the two ways to capture it', () => {
    assert.equal(notJoinedNotice(target, 'shop'), 'shop_web_2 (project shop) started during the capture and is not captured: joining it would need another password prompt. Capture it on its own, or use Capture Backend "helperContainer" to follow the project.');
  });
});

/** An engine that captures whatever it is told, ends a container's capture on `stopContainer`, and reports starts. */
class ScriptedEngine implements ContainerLister {
  readonly endpoint = 'scripted';
  readonly containers: ContainerSummary[] = [];
  private readonly captures = new Map<string, CaptureEvents>();
  private onEvent: ((e: ContainerEvent) => void) | undefined;

  run(name: string, ip: string, project?: string): ContainerSummary {
    const c: ContainerSummary = { id: `${name}-id`, name, image: 'i', state: 'running', status: 'Up', labels: project ? { 'com.docker.compose.project': project } : {}, networks: [{ name: 'n', ipv4: ip }] };
    this.containers.push(c);
    this.onEvent?.({ action: 'start', id: c.id });
    return c;
  }

  stopContainer(name: string): void {
    const c = this.containers.find((x) => x.name === name);
    if (!c) return;
    c.state = 'exited';
    this.captures.get(c.id)?.ended({ reason: 'container stopped' });
    this.captures.delete(c.id);
  }

  send(name: string, frame: ContainerFrame): void {
    const writer = new FrameBatchWriter();
    writer.add(frame);
    this.captures.get(`${name}-id`)?.frames(writer.take(), 1);
  }

  listContainers(): Promise<ContainerSummary[]> {
    return Promise.resolve(this.containers.map((c) => ({ ...c })));
  }

  resolveContainer(id: string): Promise<ResolvedContainer> {
    const c = this.containers.find((x) => x.id === id || x.name === id);
    if (!c) return Promise.reject(new Error(`no ${id}`));
    return Promise.resolve({ id: c.id, name: c.name, pid: 1, running: c.state === 'running', networkMode: 'n', networks: c.networks });
  }

  watchEvents(onEvent: (e: ContainerEvent) => void): { dispose(): void } {
    this.onEvent = onEvent;
    return { dispose: () => (this.onEvent = undefined) };
  }

  readonly start = (target: ResolvedContainer, _request: unknown, events: CaptureEvents): Promise<CaptureHandle> => {
    this.captures.set(target.id, events);
    events.started({ interfaces: ['eth0'], commands: [], helperPid: 0, tcpdumpPids: [], uid: 65534, gid: 65534 });
    let ended: (info: CaptureEndInfo) => void = () => undefined;
    const finished = new Promise<CaptureEndInfo>((r) => (ended = r));
    return Promise.resolve({
      stop: () => {
        this.captures.delete(target.id);
        const info = { reason: 'stopped' };
        events.ended(info);
        ended(info);
        return Promise.resolve();
      },
      finished,
      channelDirectory: '',
      pause: () => undefined,
      resume: () => undefined,
    });
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('a group of captured containers', () => {
  it('follows a Compose project: a container that starts joins, one that stops leaves, the capture goes on', async () => {
    const engine = new ScriptedEngine();
    engine.run('shop_web_1', WEB, 'shop');
    engine.run('shop_db_1', DB, 'shop');
    engine.run('other', '172.18.0.9');
    const seen: string[] = [];
    const frames: ContainerFrame[] = [];
    let over = false;
    const group = new ContainerGroupCapture(engine, engine.start, { project: 'shop', request: { direction: 'both', mode: { kind: 'namespace' } } }, {
      joined: (t) => seen.push(`+${t.name}`),
      frames: (f) => frames.push(...f),
      stats: () => undefined,
      log: () => undefined,
      left: (t) => seen.push(`-${t.name}`),
      ended: () => (over = true),
    });
    await group.start(await Promise.all(['shop_web_1', 'shop_db_1'].map((n) => engine.resolveContainer(n))));
    assert.deepEqual(seen.sort(), ['+shop_db_1', '+shop_web_1']);

    engine.send('shop_web_1', sighting('ignored', 'out', 10, packetBytes({ src: WEB, dst: DB })));
    assert.equal(frames[0]?.container, 'shop_web_1', 'frames carry the container they were captured in');
    assert.equal(group.addresses.size, 1, 'a container\'s addresses count from its first frame');

    engine.run('shop_web_2', '172.18.0.4', 'shop');
    engine.run('unrelated', '172.18.0.5');
    for (let i = 0; i < 5; i++) await tick();
    assert.ok(seen.includes('+shop_web_2'), 'a container of the project that starts joins');
    assert.ok(!seen.includes('+unrelated'), 'another container does not');

    engine.stopContainer('shop_db_1');
    assert.ok(seen.includes('-shop_db_1'));
    assert.equal(over, false, 'the project capture goes on');
    assert.deepEqual(group.containerNames.sort(), ['shop_web_1', 'shop_web_2']);

    await group.stop();
    assert.equal(over, true);
    assert.deepEqual(group.containerIds, []);
  });

  it('without a project, ends when its last container leaves', async () => {
    const engine = new ScriptedEngine();
    engine.run('a', WEB);
    engine.run('b', DB);
    let over = false;
    const group = new ContainerGroupCapture(engine, engine.start, { request: { direction: 'both', mode: { kind: 'namespace' } } }, {
      joined: () => undefined,
      frames: () => undefined,
      stats: () => undefined,
      log: () => undefined,
      left: () => undefined,
      ended: () => (over = true),
    });
    await group.start(await Promise.all(['a', 'b'].map((n) => engine.resolveContainer(n))));
    engine.stopContainer('a');
    assert.equal(over, false);
    engine.stopContainer('b');
    assert.equal(over, true);
  });

  it('a container that cannot be captured fails the start, and the others are stopped again', async () => {
    const engine = new ScriptedEngine();
    engine.run('a', WEB);
    engine.run('b', DB);
    let over = false;
    const failing = (t: ResolvedContainer, r: Parameters<typeof engine.start>[1], e: CaptureEvents): Promise<CaptureHandle> =>
      t.name === 'b' ? Promise.reject(new Error('b cannot be captured')) : engine.start(t, r, e);
    const group = new ContainerGroupCapture(engine, failing, { request: { direction: 'both', mode: { kind: 'namespace' } } }, {
      joined: () => undefined,
      frames: () => undefined,
      stats: () => undefined,
      log: () => undefined,
      left: () => undefined,
      ended: () => (over = true),
    });
    await assert.rejects(group.start(await Promise.all(['a', 'b'].map((n) => engine.resolveContainer(n)))), /b cannot be captured/);
    assert.equal(over, true);
    assert.deepEqual(group.containerIds, []);
  });
});

describe('a tab of several containers after a reload', () => {
  it('reads its rows back from the spool with their container names', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dnc-multi-spool-'));
    try {
      const spool = await CaptureSpool.create(await ensureSpoolFolder(root), 'project shop', () => undefined);
      const writer = new FrameBatchWriter();
      const bytes = packetBytes({ src: WEB, dst: DB });
      const names = ['web-1 -> db-1/eth0', 'db-1/lo', 'web-1 -> db-1 (not seen arriving)/eth0'];
      for (const [i, name] of names.entries()) writer.add({ ...sighting('web-1', 'out', i, bytes), interfaceName: name });
      spool.append(writer.take());
      await spool.close();
      const read: string[] = [];
      await readSpool(spool.path, (batch) => read.push(...readFrameBatch(batch).map((f) => f.interfaceName)));
      assert.deepEqual(read, names);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
