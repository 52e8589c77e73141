/**
 * The hops that no longer copy a packet's bytes (issue 12 goal 5): what each
 * hands on is the same memory it was given, and still the right bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { ChannelDecoder, encodeFrames, encodeFramesParts, encodeJson, MAX_MESSAGE_BYTES } from '../../src/protocol/channelCodec';
import { MessageKind } from '../../src/protocol/helperMessages';
import { frameBatchesOf } from '../../src/protocol/webviewMessages';
import { FrameStore, ownedBatch } from '../../src/extension/capture/frameStore';

function frame(n: number, size = 60): CapturedFrame {
  const data = new Uint8Array(size).fill(n & 0xff);
  return { tsSec: n, tsUsec: n, originalLength: size, linkType: 1, direction: 'in', interfaceName: 'eth0', data };
}

function batchOf(from: number, to: number, size = 60): Uint8Array {
  const w = new FrameBatchWriter(64);
  for (let n = from; n <= to; n++) w.add(frame(n, size));
  return w.take();
}

test('take() hands out the bytes it wrote, and later frames never overwrite a batch taken before', () => {
  const w = new FrameBatchWriter(64);
  w.add(frame(1));
  w.add(frame(2));
  const first = w.take();
  w.add(frame(3));
  const second = w.take();
  assert.notEqual(first.buffer, second.buffer);
  assert.deepEqual(readFrameBatch(first).map((f) => f.tsUsec), [1, 2]);
  assert.deepEqual(readFrameBatch(second).map((f) => f.tsUsec), [3]);
  assert.equal(w.take().length, 0, 'an empty writer hands out an empty batch');
});

test('encodeFramesParts puts the batch itself behind a 5-byte header, the same bytes as encodeFrames', () => {
  const batch = batchOf(1, 3);
  const [header, body] = encodeFramesParts(batch);
  assert.equal(body, batch);
  assert.deepEqual(Buffer.concat([header, body]), encodeFrames(batch));
});

test('the decoder gives a message inside one read as a view of that read, and one spanning reads as one owned array', () => {
  const small = batchOf(1, 2);
  const big = batchOf(10, 400, 1000);
  const stream = Buffer.concat([encodeJson({ type: 'stats', kernelDrops: 0 }), encodeFrames(small), encodeFrames(big)]);
  const firstRead = stream.subarray(0, stream.length - big.length + 100);
  const decoder = new ChannelDecoder();
  const out = [...decoder.push(firstRead)];
  assert.equal(out.length, 2);
  const viewed = out[1];
  assert.ok(viewed?.kind === MessageKind.Frames);
  assert.equal(viewed.batch.buffer, firstRead.buffer, 'no copy of a message inside one read');
  assert.deepEqual(viewed.batch, small);
  // The big one arrives in reads of 4 KiB.
  const rest = stream.subarray(firstRead.length);
  for (let o = 0; o < rest.length; o += 4096) out.push(...decoder.push(Buffer.from(rest.subarray(o, o + 4096))));
  const spanned = out[2];
  assert.ok(spanned?.kind === MessageKind.Frames);
  assert.deepEqual(spanned.batch, big);
  assert.equal(spanned.batch.byteOffset, 0);
  assert.equal(spanned.batch.buffer.byteLength, big.length, 'allocated once at the declared size');
  assert.equal(spanned.batch.constructor, Uint8Array);
});

test('the decoder splits a stream cut at every byte the same way, headers cut in the middle included', () => {
  const stream = Buffer.concat([encodeFrames(batchOf(1, 2)), encodeJson({ type: 'log', level: 'info', message: 'x' }), encodeFrames(batchOf(3, 3))]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const decoder = new ChannelDecoder();
    const out = [...decoder.push(Buffer.from(stream.subarray(0, cut))), ...decoder.push(Buffer.from(stream.subarray(cut)))];
    assert.deepEqual(out.map((m) => (m.kind === MessageKind.Frames ? readFrameBatch(m.batch).map((f) => f.tsUsec) : m.value)), [[1, 2], { type: 'log', level: 'info', message: 'x' }, [3]], `cut at ${cut}`);
  }
});

test('an oversized length is refused as soon as its 4 bytes are in, also when they come one by one', () => {
  const header = Buffer.alloc(5);
  header.writeUInt32LE(MAX_MESSAGE_BYTES + 1, 0);
  const decoder = new ChannelDecoder();
  assert.deepEqual(decoder.push(header.subarray(0, 3)), []);
  assert.throws(() => decoder.push(header.subarray(3, 4)), /refused/);
  assert.throws(() => new ChannelDecoder().push(Buffer.from([2, 0, 0, 0, 9, 0])), /unknown channel message kind 9/);
});

test('takeBuffered gives back exactly the bytes of the message not finished yet', () => {
  const whole = encodeFrames(batchOf(1, 5));
  const decoder = new ChannelDecoder();
  assert.deepEqual(decoder.push(whole.subarray(0, 40)), []);
  assert.deepEqual(decoder.takeBuffered(), whole.subarray(0, 40));
  assert.deepEqual(decoder.push(whole.subarray(0, 3)), []);
  assert.deepEqual(decoder.takeBuffered(), whole.subarray(0, 3));
  assert.equal(decoder.takeBuffered().length, 0);
});

test('the frame store keeps an owned batch by reference and copies a view, as a plain Uint8Array', () => {
  const owned = new Uint8Array(batchOf(1, 3));
  assert.equal(ownedBatch(owned), owned);
  const store = new FrameStore(100);
  store.append(owned);
  assert.equal(store.batches()[0], owned);
  const view = batchOf(4, 5);
  assert.ok(view.buffer.byteLength > view.length, 'the writer hands out a view of a larger buffer');
  const copy = ownedBatch(view);
  assert.notEqual(copy, view);
  assert.equal(copy.buffer.byteLength, view.length);
  assert.deepEqual(copy, view);
  const fromBuffer = ownedBatch(Buffer.from(owned));
  assert.equal(fromBuffer.constructor, Uint8Array, 'VS Code posts plain typed arrays as binary, a Buffer as JSON');
});

test('a frames message with several batches reads back in order', () => {
  const a = batchOf(1, 2);
  const b = batchOf(3, 3);
  assert.deepEqual(frameBatchesOf({ batch: [a, b] }).flatMap(readFrameBatch).map((f) => f.tsUsec), [1, 2, 3]);
  assert.deepEqual(frameBatchesOf({ batch: a }), [a]);
});
