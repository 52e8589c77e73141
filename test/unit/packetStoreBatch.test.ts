/**
 * PacketStore.appendBatch (what the webview does with each `frames` message) must
 * hold exactly what appending the same frames one by one holds, keep a large batch
 * without copying it, and still let go of its memory once its packets are dropped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { forEachFrame, FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { PacketStore } from '../../src/core/packetStore';
import { ipv4Frame } from './filterTestFrames';

function frame(i: number, payloadBytes: number): CapturedFrame {
  const transport = i % 3 === 0 ? 'tcp' : 'udp';
  const f = ipv4Frame({ src: `172.17.0.${2 + (i % 5)}`, dst: '172.17.0.9', transport, srcPort: 10000 + i, dstPort: i % 2 ? 53 : 80, payload: new Uint8Array(payloadBytes).fill(i & 0xff), tsSec: 1_700_000_000 + i, tsUsec: i % 1000 });
  return { ...f, interfaceName: i % 7 === 0 ? 'lo' : 'eth0', direction: i % 2 ? 'out' : 'in' };
}

function batchOf(frames: CapturedFrame[]): Uint8Array {
  const w = new FrameBatchWriter();
  for (const f of frames) w.add(f);
  return w.take();
}

/** Everything a row shows, read back from the store. */
function rows(store: PacketStore): string[] {
  const out: string[] = [];
  const c = store.columns;
  for (let row = 0; row < store.size; row++) {
    const s = store.slot(row);
    out.push([
      store.numberOf(row), c.tsSec[s], c.tsUsec[s], c.direction[s], c.interfaces.get(c.interfaceId[s] ?? 0), c.addresses.get(c.srcId[s] ?? 0), c.addresses.get(c.dstId[s] ?? 0),
      c.protocols.get(c.protocolId[s] ?? 0), c.srcPort[s], c.dstPort[s], c.originalLength[s], store.infoOf(row), c.info(s), Buffer.from(store.frameBytes(row)).toString('hex'),
    ].join('|'));
  }
  return out;
}

const options = (maxPackets: number) => ({ maxPackets, summarize, summarizeColumns });

test('a batch appended whole holds what appending its frames one by one holds', () => {
  for (const payload of [10, 1200]) { // small batches are copied, large ones (>= 64 KiB) kept
    const frames = Array.from({ length: 200 }, (_, i) => frame(i + 1, payload));
    const one = new PacketStore(options(1000));
    for (const f of frames) one.append(f);
    const whole = new PacketStore(options(1000));
    whole.appendBatch(batchOf(frames.slice(0, 120)));
    whole.appendBatch(batchOf(frames.slice(120)));
    assert.equal(whole.size, 200);
    assert.deepEqual(rows(whole), rows(one));
    assert.match(rows(whole)[0] ?? '', /^1\|1700000001\|1\|1\|eth0\|172\.17\.0\.3\|172\.17\.0\.9\|DNS\|10001\|53\|/);
  }
});

test('a large batch is kept without a copy, and released once all its packets are dropped', () => {
  const store = new PacketStore(options(150));
  const first = batchOf(Array.from({ length: 100 }, (_, i) => frame(i + 1, 1200)));
  store.appendBatch(first);
  // The row's bytes are the batch's own memory.
  assert.equal(store.frameBytes(0).buffer, first.buffer);
  const held = () => store.columns.chunks.filter((c) => c !== undefined).length;
  assert.equal(held(), 1);
  // 200 more packets push out all of the first batch's 100 (limit 150).
  store.appendBatch(batchOf(Array.from({ length: 200 }, (_, i) => frame(101 + i, 1200))));
  assert.equal(store.size, 150);
  assert.equal(store.firstNumber, 151);
  assert.ok(!store.columns.chunks.includes(first), 'the first batch is no longer held');
  assert.equal(held(), 1);
  assert.deepEqual(forEachRowPort(store).slice(0, 2), [10151, 10152]);
});

test('a batch larger than the limit wraps within itself and keeps its newest packets', () => {
  const store = new PacketStore(options(10));
  const frames = Array.from({ length: 100 }, (_, i) => frame(i + 1, 1200));
  store.appendBatch(batchOf(frames));
  assert.equal(store.size, 10);
  assert.deepEqual(forEachRowPort(store), Array.from({ length: 10 }, (_, i) => 10091 + i));
  assert.equal(store.columns.chunks.filter((c) => c !== undefined).length, 1);
  const single = new PacketStore(options(1));
  single.appendBatch(batchOf(frames));
  assert.deepEqual(forEachRowPort(single), [10100]);
  assert.equal(Buffer.from(single.frameBytes(0)).toString('hex'), Buffer.from(frames[99]?.data ?? []).toString('hex'));
});

test('a batch cut short appends the frames before the cut, then throws', () => {
  const store = new PacketStore(options(100));
  const batch = batchOf([frame(1, 10), frame(2, 10), frame(3, 10)]);
  assert.throws(() => store.appendBatch(batch.subarray(0, batch.length - 5)), /truncated/);
  assert.equal(store.size, 2);
  let n = 0;
  forEachFrame(batch, () => n++);
  assert.equal(n, 3);
});

function forEachRowPort(store: PacketStore): number[] {
  return Array.from({ length: store.size }, (_, row) => store.columns.srcPort[store.slot(row)] ?? -1);
}
