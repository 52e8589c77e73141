/**
 * The webview store's byte-cache mode (a file too large to hold): every row is
 * kept with its columns whatever the bytes, the frame bytes held stay within
 * the cache (plus the newest chunk), the rows without bytes are the oldest,
 * and bytes given back by number make the row whole again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize, summarizeColumns, summarizeRow } from '../../src/core/decode/index';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { PacketStore } from '../../src/core/packetStore';
import { ipv4Frame } from './filterTestFrames';

function frame(i: number): CapturedFrame {
  const f = ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.9', transport: 'udp', srcPort: 10000 + (i % 1000), dstPort: 53, payload: new Uint8Array(200).fill(i & 0xff), tsSec: 1_700_000_000 + i, tsUsec: 0 });
  return { ...f, interfaceName: '', direction: 'in' };
}

function batch(from: number, count: number): Uint8Array {
  const w = new FrameBatchWriter();
  for (let i = from; i < from + count; i++) w.add(frame(i));
  return w.take();
}

test('byte cache: all rows listed, bytes held bounded, the oldest rows lack bytes until given back', () => {
  const cache = 2 * 1024 * 1024;
  const store = new PacketStore({ maxPackets: 10_000_000, byteCache: cache, summarize, summarizeColumns, summarizeRow });
  let next = 0;
  // Big batches (kept whole) and small ones (copied into a shared chunk), as a host sends them.
  for (let round = 0; round < 60; round++) {
    const count = round % 3 === 0 ? 20 : 2000;
    store.appendBatch(batch(next, count));
    next += count;
  }
  assert.equal(store.size, next);
  assert.equal(store.droppedCount, 0);
  const held = new Set<Uint8Array>();
  for (let row = 0; row < store.size; row++) if (store.hasBytes(row)) held.add(store.columns.chunks[store.columns.chunkIndex[store.slot(row)] ?? 0] as Uint8Array);
  const heldBytes = [...held].reduce((n, c) => n + c.length, 0);
  assert.ok(heldBytes <= cache + 4 * 1024 * 1024, `held ${heldBytes} bytes`);
  // The rows with bytes are the newest ones, in one run up to the last.
  const firstWithBytes = Array.from({ length: store.size }, (_, r) => r).find((r) => store.hasBytes(r)) ?? -1;
  assert.ok(firstWithBytes > store.size / 2);
  for (let row = firstWithBytes; row < store.size; row++) assert.ok(store.hasBytes(row), `row ${row}`);
  assert.deepEqual(store.frameBytes(store.size - 1), frame(store.size - 1).data);

  // Row 10: columns still there, bytes not; asked for when shown, counted when scanned.
  const s = store.slot(10);
  assert.equal(store.columns.dstPort[s], 53);
  assert.equal(store.columns.tsSec[s], 1_700_000_010);
  assert.equal(store.infoOf(10), '');
  assert.deepEqual(store.takeWanted(), [11]);
  const misses = store.missingByteReads;
  store.columns.info(s);
  assert.equal(store.missingByteReads, misses + 1);
  // Wrong-sized bytes are refused; the right ones make the row whole.
  store.putBytes(11, new Uint8Array(3));
  assert.equal(store.hasBytes(10), false);
  store.putBytes(11, frame(10).data);
  assert.equal(store.hasBytes(10), true);
  assert.deepEqual(store.frameBytes(10), frame(10).data);
  assert.equal(store.infoOf(10), summarize(frame(10).data, 1, frame(10).originalLength).info);
});

test('byte cache: beforeBytesLeave is called before any bytes leave, with every packet stored so far readable, the one being stored included', () => {
  const cache = 2 * 1024 * 1024;
  const store = new PacketStore({ maxPackets: 10_000_000, byteCache: cache, summarize, summarizeColumns, summarizeRow });
  let calls = 0;
  let readUpTo = 0;
  store.beforeBytesLeave = () => {
    calls++;
    // Every packet not read yet still has its own bytes here (a reader such as the stream table reads them now).
    for (let row = readUpTo; row < store.size; row++) {
      const n = store.numberOf(row);
      assert.deepEqual(store.frameBytes(row), frame(n - 1).data, `packet ${n} readable when bytes are about to leave`);
    }
    readUpTo = store.size;
  };
  let next = 0;
  // Small batches (copied into shared 4 MB chunks: a new chunk starts in the middle of a batch) and big ones (kept whole).
  for (let round = 0; round < 60; round++) {
    const count = round % 3 === 0 ? 2000 : 20;
    store.appendBatch(batch(next, count));
    next += count;
  }
  for (let i = 0; i < 30_000; i++, next++) store.append(frame(next));
  assert.ok(calls > 1, `called (${calls} times)`);
  assert.ok(!store.hasBytes(0), 'bytes did leave');
  assert.ok(readUpTo > store.size - 30_000, 'the hook saw packets appended one by one too');
});
