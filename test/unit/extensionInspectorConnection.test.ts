import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import type { CaptureEndInfo, CaptureEvents, CaptureHandle } from '../../src/client/captureClient';
import { CaptureError } from '../../src/protocol/captureErrors';
import { frameBatchesOf, type ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { CaptureSession } from '../../src/extension/capture/captureSession';
import { InspectorConnection, parseFromWebview } from '../../src/extension/inspector/inspectorConnection';

/** The engine's handle as the session sees it: stop() is what the test observes. */
function fakeHandle(stop: () => Promise<void>): CaptureHandle {
  return { stop, finished: new Promise<CaptureEndInfo>(() => undefined), channelDirectory: '/nonexistent', pause: () => undefined, resume: () => undefined };
}

function batchOf(from: number, to: number): Uint8Array {
  const w = new FrameBatchWriter(16);
  for (let n = from; n <= to; n++) w.add({ tsSec: n, tsUsec: n, interfaceName: 'eth0', direction: 'out', linkType: 1, originalLength: 4, data: new Uint8Array([n, 0, 0, 0]) });
  return w.take();
}

/** A session whose engine is driven by the test through `events`; stop() ends it like the engine would. */
async function startedSession(maxPackets = 1000) {
  const logs: string[] = [];
  const session = new CaptureSession({ id: 'abc123', name: 'web' }, maxPackets, (level, m) => logs.push(`${level}: ${m}`));
  let events!: CaptureEvents;
  let stops = 0;
  await session.start(async (e) => {
    events = e;
    return fakeHandle(async () => {
      stops++;
      e.ended({ reason: 'stopped' });
    });
  });
  return { session, events: () => events, stops: () => stops, logs };
}

function connect(session: CaptureSession, intervalMs = 10) {
  const posted: ToWebviewMessage[] = [];
  const saves: Array<[string, number[] | undefined]> = [];
  const logs: string[] = [];
  let hostnames: Record<string, string> = { '172.17.0.2': 'web' };
  const connection = new InspectorConnection(
    session,
    {
      post: (m) => posted.push(m),
      hostnames: () => hostnames,
      save: async (format, numbers) => {
        saves.push([format, numbers]);
      },
      log: (level, m) => logs.push(`${level}: ${m}`),
    },
    intervalMs,
  );
  return { connection, posted, saves, logs, setHostnames: (h: Record<string, string>) => (hostnames = h) };
}

const frameIds = (messages: ToWebviewMessage[]): number[] =>
  messages.flatMap((m) => (m.type === 'frames' ? frameBatchesOf(m).flatMap(readFrameBatch).map((f) => f.tsUsec) : []));

test('ready gets init and every frame kept so far; a second ready (reload) gets them again', async () => {
  const { session, events } = await startedSession();
  events().started({ interfaces: ['eth0', 'lo'], commands: [], helperPid: 1, tcpdumpPids: [], uid: 65534, gid: 65534 });
  events().frames(batchOf(1, 3), 3);
  const { connection, posted } = connect(session);
  assert.equal(posted.length, 0, 'nothing is posted before the webview is ready');
  await connection.handle({ type: 'ready' });
  const init = posted[0];
  assert.ok(init && init.type === 'init');
  assert.equal(init.title, 'Capture: web');
  assert.deepEqual(init.container, { id: 'abc123', name: 'web' });
  assert.equal(init.live, true);
  assert.equal(init.maxPackets, 1000);
  assert.deepEqual(init.hostnames, { '172.17.0.2': 'web' });
  assert.equal(init.status.state, 'capturing');
  assert.match(init.status.message ?? '', /eth0, lo/);
  assert.deepEqual(frameIds(posted), [1, 2, 3]);
  posted.length = 0;
  await connection.handle({ type: 'ready' });
  assert.equal(posted[0]?.type, 'init');
  assert.deepEqual(frameIds(posted), [1, 2, 3]);
});

test('live frames are forwarded in coalesced batches, and frames arrive before the end status', async () => {
  const { session, events } = await startedSession();
  const { connection, posted } = connect(session, 20);
  await connection.handle({ type: 'ready' });
  posted.length = 0;
  for (let n = 1; n <= 40; n++) events().frames(batchOf(n, n), 1);
  await new Promise((r) => setTimeout(r, 50));
  const frameMessages = posted.filter((m) => m.type === 'frames').length;
  assert.ok(frameMessages >= 1 && frameMessages <= 2, `40 frames in ${frameMessages} messages`);
  events().frames(batchOf(41, 41), 1);
  await connection.handle({ type: 'stop' });
  const last = posted[posted.length - 1];
  assert.ok(last && last.type === 'status');
  assert.equal(last.status.state, 'ended');
  assert.deepEqual(frameIds(posted), Array.from({ length: 41 }, (_, i) => i + 1));
  const endIndex = posted.findIndex((m) => m.type === 'status' && m.status.state === 'ended');
  const lastFramesIndex = posted.map((m) => m.type).lastIndexOf('frames');
  assert.ok(lastFramesIndex < endIndex);
});

test('stop stops the engine once; clear empties the host side and tells the webview', async () => {
  const { session, events, stops } = await startedSession();
  const { connection, posted } = connect(session);
  await connection.handle({ type: 'ready' });
  events().frames(batchOf(1, 5), 5);
  await connection.handle({ type: 'clear' });
  assert.equal(session.store.size, 0);
  assert.ok(posted.some((m) => m.type === 'cleared'));
  await connection.handle({ type: 'stop' });
  await connection.handle({ type: 'stop' });
  assert.equal(stops(), 1);
  assert.equal(session.isEnded, true);
  assert.equal(session.packetsCaptured, 5, 'the running count is not reset by Clear');
});

test('the memory limit shows up as droppedFromMemory in the status the webview gets', async () => {
  const { session, events } = await startedSession(1000);
  const { connection, posted } = connect(session);
  await connection.handle({ type: 'ready' });
  events().frames(batchOf(1, 250), 250);
  events().frames(batchOf(251, 1200), 950);
  const status = posted.filter((m) => m.type === 'status').pop();
  assert.ok(status && status.type === 'status');
  assert.equal(status.status.droppedFromMemory, 200);
  posted.length = 0;
  await connection.handle({ type: 'ready' });
  const init = posted[0];
  assert.ok(init && init.type === 'init');
  assert.equal(init.status.droppedFromMemory, 200);
  const replayed = frameIds(posted);
  assert.equal(replayed.length, 1000);
  assert.equal(replayed[0], 201);
});

test('save passes the filtered packet numbers; malformed messages are ignored and logged', async () => {
  const { session } = await startedSession();
  const { connection, saves, logs } = connect(session);
  await connection.handle({ type: 'save', format: 'pcap', packetNumbers: new Uint32Array([3, 7]) });
  await connection.handle({ type: 'save', format: 'json' });
  await connection.handle({ type: 'save', format: 'exe' });
  await connection.handle({ type: 'save', format: 'json', packetNumbers: [1, -2] });
  await connection.handle('ready');
  assert.deepEqual(saves, [
    ['pcap', [3, 7]],
    ['json', undefined],
  ]);
  assert.equal(logs.filter((l) => l.startsWith('warn')).length, 3);
  assert.deepEqual(parseFromWebview({ type: 'error', message: 'boom' }), { type: 'error', message: 'boom' });
});

test('hostnames changes reach a ready webview', async () => {
  const { session } = await startedSession();
  const { connection, posted } = connect(session);
  connection.hostnamesChanged({ '10.0.0.2': 'db' });
  assert.equal(posted.length, 0);
  await connection.handle({ type: 'ready' });
  connection.hostnamesChanged({ '10.0.0.2': 'db' });
  assert.deepEqual(posted.pop(), { type: 'hostnames', hostnames: { '10.0.0.2': 'db' } });
});

test('a refused password prompt rejects start with cancelled and ends the session', async () => {
  const session = new CaptureSession({ id: 'x', name: 'web' }, 1000, () => undefined);
  await assert.rejects(
    session.start(async () => {
      throw new CaptureError('cancelled', 'The password prompt was dismissed');
    }),
    (e: unknown) => e instanceof CaptureError && e.code === 'cancelled',
  );
  assert.equal(session.isEnded, true);
  assert.equal(session.status.state, 'error');
});

test('closing the tab during the password prompt stops the capture as soon as it starts', async () => {
  const session = new CaptureSession({ id: 'x', name: 'web' }, 1000, () => undefined);
  let stopped = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const starting = session.start(async (e) => {
    await gate;
    return fakeHandle(async () => {
      stopped++;
      e.ended({ reason: 'stopped' });
    });
  });
  await session.stop();
  release();
  await starting;
  assert.equal(stopped, 1);
  assert.equal(session.isEnded, true);
});
