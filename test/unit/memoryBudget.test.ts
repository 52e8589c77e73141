/**
 * Memory bounded by bytes, not only by packet count (issue 11): the host's
 * FrameStore and the webview's PacketStore keep within a byte budget with
 * 64 KiB frames; the inspector connection keeps at most its window of bytes
 * unacknowledged and holds the capture's source while the webview is behind;
 * the spool stops at its size cap with one notice. The real capture path is
 * in test/security/memoryBudget.test.ts; these are the exact accounting rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { PacketStore } from '../../src/core/packetStore';
import type { CaptureEndInfo, CaptureEvents } from '../../src/client/captureClient';
import { frameBatchesOf, type ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { CaptureSession } from '../../src/extension/capture/captureSession';
import { FrameStore } from '../../src/extension/capture/frameStore';
import { InspectorConnection } from '../../src/extension/inspector/inspectorConnection';
import { CaptureSpool } from '../../src/extension/spool/captureSpool';
import { sidecarPathOf } from '../../src/extension/spool/spoolFile';
import { ensureSpoolFolder } from '../../src/extension/spool/spoolFolder';
import { readSpool } from '../../src/extension/spool/spoolReader';

const KiB = 1024;
const MiB = 1024 * KiB;
/** 20 header bytes + the interface name (eth0) per record; see core/frameBatch.ts. */
const RECORD_OVERHEAD = 20 + 4;

/** An Ethernet/IPv4 frame of `size` bytes whose last four bytes carry `n`. */
function bigFrame(n: number, size = 64 * KiB): CapturedFrame {
  const data = new Uint8Array(size);
  data[12] = 0x08;
  new DataView(data.buffer).setUint32(size - 4, n);
  return { tsSec: 1_700_000_000 + n, tsUsec: 0, interfaceName: 'eth0', direction: 'in', linkType: 1, originalLength: size, data };
}

const numberIn = (data: Uint8Array): number => new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(data.length - 4);

/** Frames from..to in batches of `perBatch`, as the helper sends them. */
function batches(from: number, to: number, perBatch = 4, size = 64 * KiB): Uint8Array[] {
  const out: Uint8Array[] = [];
  let w = new FrameBatchWriter();
  for (let n = from; n <= to; n++) {
    w.add(bigFrame(n, size));
    if (w.frameCount === perBatch) {
      out.push(w.take());
      w = new FrameBatchWriter();
    }
  }
  if (w.frameCount > 0) out.push(w.take());
  return out;
}

test('FrameStore: 64 KiB frames past a 1 MiB budget: bytes held never exceed it, the oldest go, numbers continue', () => {
  const budget = 1 * MiB;
  const store = new FrameStore(1_000_000, budget);
  let n = 0;
  for (const batch of batches(1, 200, 3)) {
    store.append(batch);
    n += readFrameBatch(batch).length;
    assert.ok(store.byteLength <= budget, `held ${store.byteLength} bytes after ${n} frames`);
  }
  // Exactly what the store accounts: its records plus 4 bytes of offset per frame.
  const kept = [...store.frames()];
  assert.equal(store.byteLength, kept.length * (64 * KiB + RECORD_OVERHEAD + 4));
  // As many as fit: one more would not have.
  assert.equal(kept.length, Math.floor(budget / (64 * KiB + RECORD_OVERHEAD + 4)));
  assert.equal(store.droppedFromMemory, 200 - kept.length);
  assert.deepEqual(kept.map((k) => numberIn(k.frame.data)), Array.from({ length: kept.length }, (_, i) => 200 - kept.length + 1 + i));
  assert.deepEqual(kept.map((k) => k.number), kept.map((k) => numberIn(k.frame.data)), '"No." is the capture-wide number');
  assert.equal(store.byteLimit, budget);
  // Both bounds hold: a packet limit below what the bytes allow wins.
  const byCount = new FrameStore(5, budget);
  for (const batch of batches(1, 40, 3)) byCount.append(batch);
  assert.equal(byCount.size, 5);
});

test('PacketStore (webview): 64 KiB frames past a 1 MiB budget: held bytes never exceed it, newest kept intact', () => {
  const budget = 1 * MiB;
  const store = new PacketStore({ maxPackets: 1_000_000, maxBytes: budget, summarize, summarizeColumns });
  for (const batch of batches(1, 200, 5)) {
    store.appendBatch(batch);
    assert.ok(store.heldBytes <= budget, `held ${store.heldBytes} bytes`);
  }
  assert.equal(store.size, Math.floor(budget / (64 * KiB)));
  assert.equal(store.heldBytes, store.size * 64 * KiB);
  assert.equal(store.droppedCount, 200 - store.size);
  assert.equal(store.totalReceived, 200);
  for (let row = 0; row < store.size; row++) assert.equal(numberIn(store.frameBytes(row)), store.numberOf(row), `row ${row}`);
  // Single frames (append) too, and clear starts over.
  store.clear();
  for (let n = 1; n <= 40; n++) store.append(bigFrame(n));
  assert.equal(store.heldBytes, 16 * 64 * KiB);
  assert.equal(store.rowOf(24), -1);
  assert.equal(numberIn(store.frameBytes(store.rowOf(40))), 40);
});

/** A started session whose engine the test drives; records pause/resume calls. */
async function sessionWithEngine(maxBytes: number, spool?: CaptureSpool) {
  const flow: string[] = [];
  const session = new CaptureSession({ id: 'abc', name: 'web' }, { maxPackets: 1_000_000, maxBytes }, () => undefined, spool);
  let events!: CaptureEvents;
  await session.start(async (e) => {
    events = e;
    return {
      stop: async () => e.ended({ reason: 'stopped' }),
      finished: new Promise<CaptureEndInfo>(() => undefined),
      channelDirectory: '/nonexistent',
      pause: () => flow.push('pause'),
      resume: () => flow.push('resume'),
    };
  });
  events.started({ interfaces: ['eth0'], commands: [], helperPid: 1, tcpdumpPids: [], uid: 65534, gid: 65534 });
  return { session, events, flow };
}

test('the connection keeps at most its window unacknowledged, pauses the engine while the webview is behind, and loses nothing', async () => {
  const { session, events, flow } = await sessionWithEngine(4 * MiB);
  const posted: ToWebviewMessage[] = [];
  const window = 2 * MiB;
  const connection = new InspectorConnection(session, { post: (m) => posted.push(m), hostnames: () => ({}), save: async () => undefined, log: () => undefined }, 1, { inFlightBytes: window });
  await connection.handle({ type: 'ready' });
  const init = posted[0];
  assert.ok(init?.type === 'init');
  assert.equal(init.maxBytes, 4 * MiB, 'the webview is told the same byte budget');

  // A flood the webview does not acknowledge: 100 frames of 64 KiB = 6.4 MiB.
  for (const batch of batches(1, 100)) {
    events.frames(batch, 4);
    await new Promise((r) => setImmediate(r));
    assert.ok(connection.bytesInFlight <= window, `in flight ${connection.bytesInFlight}`);
  }
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(connection.bytesInFlight <= window && connection.bytesInFlight > window / 2, `in flight ${connection.bytesInFlight}`);
  assert.deepEqual(flow, ['pause'], 'the engine is told to stop reading once the webview is a window behind');
  assert.equal(session.sourcePaused, true);
  events.ended({ reason: 'container stopped' });

  // The webview catches up, acknowledging each message as it stores it.
  const received: number[] = [];
  let statusAt = -1;
  for (let i = 1; i < posted.length; i++) {
    const m = posted[i];
    if (m?.type === 'frames') {
      received.push(...frameBatchesOf(m).flatMap(readFrameBatch).map((f) => numberIn(f.data)));
      await connection.handle({ type: 'ack', seq: m.seq });
    } else if (m?.type === 'status' && m.status.state === 'ended') statusAt = received.length;
  }
  assert.deepEqual(received, Array.from({ length: 100 }, (_, i) => i + 1), 'every frame, once, in order');
  assert.equal(statusAt, 100, '"ended" arrives after the last frame');
  assert.equal(connection.bytesInFlight, 0);
  connection.dispose();
  session.dispose();
});

test('a closed tab never leaves the capture paused', async () => {
  const { session, events, flow } = await sessionWithEngine(64 * MiB);
  const connection = new InspectorConnection(session, { post: () => undefined, hostnames: () => ({}), save: async () => undefined, log: () => undefined }, 1, { inFlightBytes: 1 * MiB });
  await connection.handle({ type: 'ready' });
  for (const batch of batches(1, 60)) events.frames(batch, 4);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(flow, ['pause']);
  connection.dispose();
  assert.deepEqual(flow, ['pause', 'resume']);
  assert.equal(session.sourcePaused, false);
  session.dispose();
});

test('an ack that is not a safe non-negative integer is refused', async () => {
  const { session } = await sessionWithEngine(MiB);
  const logs: string[] = [];
  const connection = new InspectorConnection(session, { post: () => undefined, hostnames: () => ({}), save: async () => undefined, log: (_l, m) => logs.push(m) });
  for (const seq of [-1, 1.5, '3', Number.MAX_VALUE, undefined]) await connection.handle({ type: 'ack', seq });
  assert.equal(logs.length, 5);
  session.dispose();
});

test('the spool stops at its cap with one notice; the file is a valid pcap of the first packets; Clear starts it again', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dnc-budget-spool-'));
  const folder = await ensureSpoolFolder(root);
  try {
    const cap = 1 * MiB;
    const spool = await CaptureSpool.create(folder, 'web', () => undefined, { maxBytes: cap });
    const { session, events } = await sessionWithEngine(64 * MiB, spool);
    const notices: number[] = [];
    session.onDidCapSpool((c) => notices.push(c.packets));
    for (const batch of batches(1, 100)) events.frames(batch, 4);
    await session.stop();
    const onDisk = statSync(spool.path).size + statSync(sidecarPathOf(spool.path)).size;
    assert.ok(onDisk <= cap, `spool is ${onDisk} bytes`);
    assert.equal(onDisk, spool.byteLength);
    assert.equal(notices.length, 1, 'one notice');
    const packets = notices[0] ?? 0;
    // Batches of 4 frames of (16 + 65536) pcap bytes + sidecar: 3 batches fit in 1 MiB with the header.
    assert.equal(packets, 12);
    const frames: number[] = [];
    const read = await readSpool(spool.path, (b) => frames.push(...readFrameBatch(b).map((f) => numberIn(f.data))));
    assert.equal(read.problem, undefined);
    assert.deepEqual(frames, Array.from({ length: packets }, (_, i) => i + 1));
    assert.deepEqual(session.status.spoolCapped, { packets, bytes: cap });
    assert.match(session.status.message ?? '', /spool on disk is full \(1 MB\): Save as pcap saves the first 12 packets/);
    session.clear();
    assert.equal(session.status.spoolCapped, undefined);
    assert.equal(spool.capped, undefined);
    session.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a status kept back behind waiting frames never overtakes a newer one (Clear in between)', async () => {
  const { session, events } = await sessionWithEngine(64 * MiB);
  const posted: ToWebviewMessage[] = [];
  const connection = new InspectorConnection(session, { post: (m) => posted.push(m), hostnames: () => ({}), save: async () => undefined, log: () => undefined }, 1, { inFlightBytes: 1 * MiB });
  await connection.handle({ type: 'ready' });
  for (const batch of batches(1, 40)) events.frames(batch, 4);
  events.stats({ kernelDrops: 7 });
  assert.ok(connection.bytesWaiting > 0);
  session.clear();
  const lastSeq = Math.max(...posted.map((m) => (m.type === 'frames' ? m.seq ?? 0 : 0)));
  await connection.handle({ type: 'ack', seq: lastSeq });
  const statuses = posted.filter((m) => m.type === 'status');
  assert.equal(statuses.length, 1, 'only the status after the clear');
  assert.equal(posted[posted.length - 1]?.type, 'status');
  connection.dispose();
  session.dispose();
});
