/**
 * A group captured through ONE host helper (sharedHelperCapture.ts): the
 * helper's one stream of `container/interface` frames is split back into
 * each container's, a `left` ends that container only, the whole list goes
 * to one start (one elevation), stop reaches the helper once, and a
 * container of the project that starts later is not joined when the backend
 * says so (a second password prompt), with the one line for the user. The
 * real helper, pkexec and tcpdump are in test/integration/hostGroupCapture.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureEvents, CaptureHandle } from '../../src/client/captureClient';
import { ContainerGroupCapture, type GroupCaptureEvents } from '../../src/client/containerGroupCapture';
import type { ContainerEvent, ContainerLister, ContainerSummary } from '../../src/client/dockerClient';
import { oneHelperForAll } from '../../src/client/sharedHelperCapture';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { ContainerFrame } from '../../src/core/timeline/containerFrame';
import { MAX_CAPTURE_TARGETS } from '../../src/protocol/helperMessages';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';
import { packetBytes, sighting } from './timelineFrames';

const WEB = '172.18.0.2';
const DB = '172.18.0.3';

function container(name: string, ip: string): ResolvedContainer {
  return { id: `${name}-id`, name, pid: 1, running: true, networkMode: 'n', networks: [{ name: 'n', ipv4: ip }] };
}

/** One scripted root helper per start, holding the list it was given. */
class ScriptedHelpers {
  readonly starts: string[][] = [];
  stops = 0;
  events: CaptureEvents | undefined;

  readonly start = (targets: readonly ResolvedContainer[], _request: unknown, events: CaptureEvents): Promise<CaptureHandle> => {
    this.starts.push(targets.map((t) => t.name));
    this.events = events;
    events.started({ interfaces: targets.flatMap((t) => [`${t.name}/eth0`, `${t.name}/lo`]), commands: [], helperPid: 1, tcpdumpPids: [], uid: 65534, gid: 65534 });
    return Promise.resolve({
      stop: () => {
        this.stops++;
        events.ended({ reason: 'stopped' });
        return Promise.resolve();
      },
      finished: new Promise(() => undefined),
      channelDirectory: '',
      pause: () => undefined,
      resume: () => undefined,
    });
  };

  /** Frames on the one channel, labelled as the helper labels them. */
  send(...frames: ContainerFrame[]): void {
    const writer = new FrameBatchWriter();
    for (const f of frames) writer.add({ ...f, interfaceName: `${f.container}/${f.interfaceName}` });
    this.events?.frames(writer.take(), frames.length);
  }
}

/** Just enough of an engine for a project: a list and an event stream. */
class Project implements ContainerLister {
  readonly endpoint = 'scripted';
  readonly summaries: ContainerSummary[] = [];
  private onEvent: ((e: ContainerEvent) => void) | undefined;

  start(t: ResolvedContainer): void {
    this.summaries.push({ id: t.id, name: t.name, image: 'i', state: 'running', status: 'Up', labels: { 'com.docker.compose.project': 'shop' }, networks: t.networks });
    this.onEvent?.({ action: 'start', id: t.id });
  }

  listContainers(): Promise<ContainerSummary[]> {
    return Promise.resolve(this.summaries.map((c) => ({ ...c })));
  }

  resolveContainer(id: string): Promise<ResolvedContainer> {
    const c = this.summaries.find((x) => x.id === id);
    return c ? Promise.resolve(container(c.name, c.networks[0]?.ipv4 ?? '')) : Promise.reject(new Error(`no ${id}`));
  }

  watchEvents(onEvent: (e: ContainerEvent) => void): { dispose(): void } {
    this.onEvent = onEvent;
    return { dispose: () => (this.onEvent = undefined) };
  }
}

function recorder(): { seen: string[]; frames: ContainerFrame[]; notices: string[]; over: () => boolean; events: GroupCaptureEvents } {
  const seen: string[] = [];
  const frames: ContainerFrame[] = [];
  const notices: string[] = [];
  let over = false;
  return {
    seen,
    frames,
    notices,
    over: () => over,
    events: {
      joined: (t, info) => seen.push(`+${t.name} ${info.interfaces.join(',')}`),
      frames: (f) => frames.push(...f),
      stats: () => undefined,
      log: () => undefined,
      left: (t, info) => seen.push(`-${t.name} ${info.reason}`),
      ended: () => (over = true),
      notJoined: (_t, notice) => notices.push(notice),
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('a group through one host helper', () => {
  it('starts one helper for every container, splits its frames per container, and goes on when one leaves', async () => {
    const helpers = new ScriptedHelpers();
    const r = recorder();
    const group = new ContainerGroupCapture(new Project(), { startMany: oneHelperForAll(helpers.start) }, { request: { direction: 'both', mode: { kind: 'namespace' } } }, r.events);
    await group.start([container('web', WEB), container('db', DB)]);
    assert.deepEqual(helpers.starts, [['web', 'db']], 'one helper, one elevation, for both');
    assert.deepEqual(r.seen.sort(), ['+db eth0,lo', '+web eth0,lo'], 'each container is told its own interfaces');

    const request = packetBytes({ src: WEB, dst: DB });
    helpers.send(sighting('web', 'out', 10, request), sighting('db', 'in', 20, request, 'eth0'), sighting('db', 'out', 30, request, 'lo'));
    assert.deepEqual(r.frames.map((f) => `${f.container}/${f.interfaceName}`), ['web/eth0', 'db/eth0', 'db/lo'], 'the label is split into container and plain interface');
    assert.equal(group.addresses.size, 2);

    helpers.events?.left?.('db', { reason: 'container stopped' });
    assert.ok(r.seen.includes('-db container stopped'));
    assert.equal(r.over(), false, 'web is still captured');
    assert.deepEqual(group.containerNames, ['web']);
    helpers.send(sighting('db', 'out', 40, request), sighting('web', 'out', 50, request));
    assert.deepEqual(r.frames.slice(3).map((f) => f.container), ['web'], 'nothing more of a container that left');

    await group.stop();
    assert.equal(helpers.stops, 1, 'the helper is asked to stop once');
    assert.equal(r.over(), true);
  });

  it('refuses more containers than one helper may capture, before asking for a password', async () => {
    const helpers = new ScriptedHelpers();
    const many = Array.from({ length: MAX_CAPTURE_TARGETS + 1 }, (_, k) => container(`c${k}`, `172.18.1.${k + 2}`));
    const group = new ContainerGroupCapture(new Project(), { startMany: oneHelperForAll(helpers.start) }, { request: { direction: 'both', mode: { kind: 'namespace' } } }, recorder().events);
    await assert.rejects(group.start(many), new RegExp(`${MAX_CAPTURE_TARGETS + 1} containers: the host helper captures at most ${MAX_CAPTURE_TARGETS} at once`));
    assert.deepEqual(helpers.starts, []);
  });

  it('a container of the project that starts later joins through one more helper only when the backend admits it', async () => {
    for (const admit of [true, 'web-2 was not joined'] as const) {
      const project = new Project();
      const web = container('web', WEB);
      project.start(web);
      const helpers = new ScriptedHelpers();
      const r = recorder();
      const group = new ContainerGroupCapture(project, { startMany: oneHelperForAll(helpers.start), admitLater: () => Promise.resolve(admit) }, { project: 'shop', request: { direction: 'both', mode: { kind: 'namespace' } } }, r.events);
      await group.start([web]);
      project.start(container('web-2', '172.18.0.4'));
      for (let i = 0; i < 6; i++) await tick();
      if (admit === true) {
        assert.deepEqual(helpers.starts, [['web'], ['web-2']], 'a second helper for the newcomer');
        assert.deepEqual(group.containerNames.sort(), ['web', 'web-2']);
        assert.deepEqual(r.notices, []);
      } else {
        assert.deepEqual(helpers.starts, [['web']], 'no second helper, so no second prompt');
        assert.deepEqual(group.containerNames, ['web']);
        assert.deepEqual(r.notices, ['web-2 was not joined']);
      }
      await group.stop();
    }
  });
});
