import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketStore } from '../../src/core/packetStore';
import { summarize, summarizeRow } from '../../src/core/decode/index';
import { emptyFrameFields, extractFrameFields } from '../../src/core/filter/frameFields';
import type { CapturedFrame } from '../../src/core/packet';
import { ipv4Frame } from './filterTestFrames';

/** Packet i: its own source address (10.x.y.z), so 70,000 packets intern more than 65,536 addresses. */
function frameOf(i: number): CapturedFrame {
  const src = `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
  return ipv4Frame({ src, dst: '172.17.0.3', transport: 'udp', srcPort: 1 + (i % 60000), dstPort: 53, payload: new Uint8Array(i % 7).fill(i & 0xff) });
}

/** What every column of a row must say about `frame`, from the decoder itself. */
function assertRowIs(store: PacketStore, row: number, frame: CapturedFrame, what: string): void {
  const c = store.columns;
  const s = store.slot(row);
  const fields = emptyFrameFields();
  extractFrameFields(frame.data, frame.linkType, fields);
  const summary = summarize(frame.data, frame.linkType, frame.originalLength);
  assert.deepEqual(
    {
      originalLength: c.originalLength[s], capturedLength: c.capturedLength[s], linkType: c.linkType[s], interfaceName: c.interfaces.get(c.interfaceId[s] ?? -1),
      protocol: c.protocols.get(c.protocolId[s] ?? -1), src: c.addresses.get(c.srcId[s] ?? -1), dst: c.addresses.get(c.dstId[s] ?? -1),
      networkOffset: c.networkOffset[s], payloadOffset: c.payloadOffset[s], payloadLength: c.payloadLength[s], bytes: store.frameBytes(row).length,
    },
    {
      originalLength: frame.originalLength, capturedLength: frame.data.length, linkType: frame.linkType, interfaceName: frame.interfaceName,
      protocol: summary.protocol, src: summary.src, dst: summary.dst,
      networkOffset: fields.networkOffset, payloadOffset: fields.payloadOffset, payloadLength: fields.payloadLength, bytes: frame.data.length,
    },
    what,
  );
}

test('columns start narrow and widen on the first value that does not fit, every earlier row intact', () => {
  const store = new PacketStore({ maxPackets: 100_000, summarize, summarizeRow });
  const frames: CapturedFrame[] = [];
  const add = (frame: CapturedFrame): void => {
    frames.push(frame);
    store.append(frame);
  };
  for (let i = 0; i < 1000; i++) add(frameOf(i));
  assert.ok(store.columns.capturedLength instanceof Uint16Array && store.columns.srcId instanceof Uint16Array && store.columns.interfaceId instanceof Uint8Array, 'narrow before any wide value');
  // A frame past 64 KiB (snap length 262,144), a 4 GB wire length, a link type past 255, the 300th interface.
  const jumbo = ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort: 5, dstPort: 6, payload: new Uint8Array(70_000).fill(7) });
  add({ ...jumbo, originalLength: 4_000_000_000 });
  add({ ...frameOf(1001), linkType: 276 });
  for (let i = 0; i < 300; i++) add({ ...frameOf(2000 + i), interfaceName: `veth${i}` });
  // Past 65,536 distinct source addresses.
  for (let i = 3000; i < 70_000; i++) add(frameOf(i));
  assert.equal(store.size, frames.length);
  assert.ok(store.columns.capturedLength instanceof Uint32Array, 'capturedLength widened');
  assert.ok(store.columns.originalLength instanceof Uint32Array, 'originalLength widened');
  assert.ok(store.columns.linkType instanceof Uint16Array, 'linkType widened');
  assert.ok(store.columns.interfaceId instanceof Uint16Array, 'interfaceId widened');
  assert.ok(store.columns.srcId instanceof Uint32Array, 'srcId widened');
  for (const row of [0, 999, 1000, 1001, 1002, 1301, 5000, 68_000, frames.length - 1]) assertRowIs(store, row, frames[row] as CapturedFrame, `row ${row}`);
});

test('a column widened while the ring has wrapped keeps each packet in its slot', () => {
  const store = new PacketStore({ maxPackets: 5000, summarize, summarizeRow });
  const frames: CapturedFrame[] = [];
  for (let i = 0; i < 12_345; i++) {
    const frame = i === 11_000 ? { ...frameOf(i), originalLength: 100_000 } : frameOf(i);
    frames.push(frame);
    store.append(frame);
  }
  assert.equal(store.firstNumber, 12_345 - 5000 + 1);
  assert.ok(store.columns.originalLength instanceof Uint32Array);
  for (let row = 0; row < store.size; row += 97) assertRowIs(store, row, frames[store.numberOf(row) - 1] as CapturedFrame, `row ${row}`);
  assertRowIs(store, 11_000 - (12_345 - 5000), frames[11_000] as CapturedFrame, 'the wide one');
});
