import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketStore } from '../../src/core/packetStore';
import { compileFilter, FilteredRows } from '../../src/core/filter/index';
import { summarize } from '../../src/core/decode/index';
import { ipv4Frame } from './filterTestFrames';

/** Packet i carries source port 10000+i, so a row's identity is visible in its bytes. */
function frameNumbered(i: number, payloadBytes = 10) {
  return ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort: 10000 + i, dstPort: 53, payload: new Uint8Array(payloadBytes).fill(i & 0xff), tsSec: 1_700_000_000 + Math.floor(i / 10), tsUsec: (i % 10) * 100_000 });
}

function sourcePortOfRow(store: PacketStore, row: number): number {
  const bytes = store.frameBytes(row);
  return ((bytes[34] ?? 0) << 8) | (bytes[35] ?? 0);
}

test('packets are numbered from 1 and read back with their bytes, time and direction', () => {
  const store = new PacketStore({ maxPackets: 10, summarize });
  for (let i = 1; i <= 3; i++) store.append(frameNumbered(i));
  assert.equal(store.size, 3);
  assert.equal(store.firstNumber, 1);
  assert.equal(store.numberOf(2), 3);
  assert.equal(sourcePortOfRow(store, 0), 10001);
  assert.equal(sourcePortOfRow(store, 2), 10003);
  assert.equal(store.relativeTime(0), 0);
  assert.ok(Math.abs(store.relativeTime(2) - 0.2) < 1e-9);
  assert.equal(store.totalBytes, 3 * 60);
  assert.equal(store.columns.direction[store.slot(0)], 1);
  assert.equal(store.columns.interfaces.get(store.columns.interfaceId[store.slot(0)] ?? 99), 'eth0');
});

test('past maxPackets the oldest are dropped and numbers keep counting', () => {
  const store = new PacketStore({ maxPackets: 5, summarize });
  for (let i = 1; i <= 12; i++) store.append(frameNumbered(i));
  assert.equal(store.size, 5);
  assert.equal(store.droppedCount, 7);
  assert.equal(store.totalReceived, 12);
  assert.equal(store.firstNumber, 8);
  assert.deepEqual([0, 1, 2, 3, 4].map((row) => store.numberOf(row)), [8, 9, 10, 11, 12]);
  assert.deepEqual([0, 1, 2, 3, 4].map((row) => sourcePortOfRow(store, row)), [10008, 10009, 10010, 10011, 10012]);
  assert.equal(store.rowOf(7), -1);
  assert.equal(store.rowOf(8), 0);
  assert.equal(store.rowOf(13), -1);
  // Time stays relative to the very first packet, dropped or not.
  assert.ok(Math.abs(store.relativeTime(0) - 0.7) < 1e-9);
});

test('the ring grows in steps and keeps row order across growth and wrap-around', () => {
  const store = new PacketStore({ maxPackets: 10_000, summarize });
  for (let i = 1; i <= 25_000; i++) store.append(frameNumbered(i));
  assert.equal(store.size, 10_000);
  assert.equal(store.firstNumber, 15_001);
  for (const row of [0, 1, 4999, 9999]) assert.equal(sourcePortOfRow(store, row), (10000 + 15_001 + row) & 0xffff);
});

test('byte chunks of dropped packets are released', () => {
  const store = new PacketStore({ maxPackets: 1000, summarize });
  // 1000 frames of ~1 KB fit in one 4 MB chunk; 20,000 of them need several.
  for (let i = 1; i <= 20_000; i++) store.append(frameNumbered(i, 1000));
  const held = store.columns.chunks.filter((chunk) => chunk !== undefined).length;
  assert.ok(store.columns.chunks.length >= 5, `${store.columns.chunks.length} chunks`);
  assert.ok(held <= 2, `${held} chunks still held for 1000 packets`);
  assert.equal(sourcePortOfRow(store, 999), (10000 + 20_000) & 0xffff);
});

test('a filter keeps working while the oldest packets are dropped', () => {
  const store = new PacketStore({ maxPackets: 4, summarize });
  const rows = new FilteredRows(store);
  const compiled = compileFilter('src.port >= 10003', { hostnames: {} });
  assert.ok(compiled.ok);
  for (let i = 1; i <= 4; i++) store.append(frameNumbered(i));
  rows.setPredicate(compiled.predicate);
  assert.deepEqual([...rows.toArray()], [3, 4]);
  for (let i = 5; i <= 7; i++) store.append(frameNumbered(i));
  rows.update();
  assert.deepEqual([...rows.toArray()], [4, 5, 6, 7]);
  assert.equal(rows.numberAt(0), 4);
  assert.equal(rows.indexOf(3), -1);
});

test('clear starts again from packet 1', () => {
  const store = new PacketStore({ maxPackets: 3, summarize });
  for (let i = 1; i <= 5; i++) store.append(frameNumbered(i));
  store.clear();
  assert.equal(store.size, 0);
  assert.equal(store.droppedCount, 0);
  store.append(frameNumbered(9));
  assert.equal(store.firstNumber, 1);
  assert.equal(sourcePortOfRow(store, 0), 10009);
  assert.equal(store.totalBytes, 60);
});

test('a million small packets fit in memory with room to spare', () => {
  const store = new PacketStore({ maxPackets: 1_000_000, summarize: () => ({ src: '172.17.0.2', dst: '172.17.0.3', protocol: 'UDP', info: '', payloadOffset: 0, payloadLength: 0 }) });
  const frame = frameNumbered(1, 40);
  const before = process.memoryUsage();
  for (let i = 0; i < 1_000_000; i++) store.append(frame);
  const after = process.memoryUsage();
  const grownMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
  console.log(`1,000,000 packets of ${frame.data.length} bytes: ${grownMb.toFixed(0)} MB (heap + array buffers)`);
  assert.equal(store.size, 1_000_000);
  assert.ok(grownMb < 300, `${grownMb} MB`);
});
