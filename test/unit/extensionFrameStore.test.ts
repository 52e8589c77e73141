import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { FrameStore } from '../../src/extension/capture/frameStore';
import { BatchForwarder } from '../../src/extension/capture/batchForwarder';

/** A frame whose first byte and timestamp both carry `n`, so tests can tell frames apart. */
function frame(n: number): CapturedFrame {
  return { tsSec: 1_700_000_000 + n, tsUsec: n, interfaceName: n % 2 ? 'eth0' : 'lo', direction: n % 2 ? 'out' : 'in', linkType: 1, originalLength: 60, data: new Uint8Array([n & 0xff, 1, 2, 3]) };
}

function batchOf(from: number, to: number): Uint8Array {
  const w = new FrameBatchWriter(16);
  for (let n = from; n <= to; n++) w.add(frame(n));
  return w.take();
}

const ids = (frames: CapturedFrame[]): number[] => frames.map((f) => f.tsUsec);

test('keeps every frame under the limit, numbered from 1', () => {
  const store = new FrameStore(100);
  assert.equal(store.append(batchOf(1, 3)), 3);
  store.append(batchOf(4, 5));
  assert.equal(store.size, 5);
  assert.deepEqual(ids(store.select(undefined)), [1, 2, 3, 4, 5]);
  assert.deepEqual([...store.frames()].map((f) => f.number), [1, 2, 3, 4, 5]);
  assert.equal(store.droppedFromMemory, 0);
});

test('drops the oldest frames past the limit, also from inside a batch, and counts them', () => {
  const store = new FrameStore(4);
  store.append(batchOf(1, 3));
  store.append(batchOf(4, 6));
  assert.equal(store.size, 4);
  assert.equal(store.droppedFromMemory, 2);
  assert.deepEqual(ids(store.select(undefined)), [3, 4, 5, 6]);
  // Numbers keep counting from the start, so the webview's "No." stays valid.
  assert.deepEqual([...store.frames()].map((f) => f.number), [3, 4, 5, 6]);
  // The replayed bytes decode to exactly the kept frames.
  assert.deepEqual(ids(store.batches().flatMap(readFrameBatch)), [3, 4, 5, 6]);
  store.append(batchOf(7, 20));
  assert.deepEqual(ids(store.select(undefined)), [17, 18, 19, 20]);
  assert.equal(store.droppedFromMemory, 16);
  assert.equal(store.received, 20);
});

test('select by packet numbers returns those frames in capture order, skipping dropped ones', () => {
  const store = new FrameStore(5);
  store.append(batchOf(1, 8));
  assert.deepEqual(ids(store.select([8, 2, 5, 99])), [5, 8]);
  assert.deepEqual(ids(store.select([])), []);
});

test('clear forgets frames and restarts numbering', () => {
  const store = new FrameStore(3);
  store.append(batchOf(1, 5));
  store.clear();
  assert.equal(store.size, 0);
  assert.equal(store.droppedFromMemory, 0);
  store.append(batchOf(6, 6));
  assert.deepEqual([...store.frames()].map((f) => [f.number, f.frame.tsUsec]), [[1, 6]]);
});

test('a truncated batch is refused and the store is unchanged', () => {
  const store = new FrameStore(10);
  const good = batchOf(1, 2);
  assert.throws(() => store.append(good.subarray(0, good.length - 1)), /truncated/);
  assert.equal(store.size, 0);
});

test('the forwarder coalesces a burst into one message per interval, in order', async () => {
  const sent: (readonly Uint8Array[])[] = [];
  const forwarder = new BatchForwarder((batches) => sent.push(batches), 30);
  for (let n = 1; n <= 50; n++) forwarder.push(batchOf(n, n));
  forwarder.flush();
  for (let n = 51; n <= 60; n++) forwarder.push(batchOf(n, n));
  assert.equal(sent.length, 1);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(sent.length, 2);
  assert.deepEqual(ids(sent.flat().flatMap(readFrameBatch)), Array.from({ length: 60 }, (_, i) => i + 1));
  forwarder.push(batchOf(61, 61));
  forwarder.discard();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(sent.length, 2);
  forwarder.dispose();
});

test('batches bigger than a message go one by one while the receiver has room for each, never past it', () => {
  const sent: number[] = [];
  let inFlight = 0;
  const window = 8 * 1024;
  const forwarder = new BatchForwarder((_batches, bytes) => {
    sent.push(bytes);
    inFlight += bytes;
  }, 30, { maxMessageBytes: 1024, room: () => (inFlight === 0 ? Number.POSITIVE_INFINITY : window - inFlight) });
  // A big file's reads: each batch a little over one message.
  const big = (): Uint8Array => new Uint8Array(1500);
  for (let i = 0; i < 10; i++) forwarder.push(big());
  forwarder.flush();
  // Five fit the window at once (7,500 bytes), not one per acknowledgement.
  assert.deepEqual(sent, [1500, 1500, 1500, 1500, 1500]);
  assert.equal(forwarder.pendingBytes, 5 * 1500);
  // The receiver took two: two more go, the window is never passed.
  inFlight -= 3000;
  forwarder.flush();
  assert.equal(sent.length, 7);
  assert.ok(inFlight <= window, `in flight ${inFlight}`);
  // Nothing outstanding: a batch bigger than the whole window still goes, alone.
  inFlight = 0;
  forwarder.discard();
  forwarder.push(new Uint8Array(3 * window));
  forwarder.push(big());
  forwarder.flush();
  assert.deepEqual(sent.slice(7), [3 * window]);
  forwarder.dispose();
});
