/**
 * The stream table keeps conversations and TCP sequence state in segments of 65,536
 * (conversationColumns.ts): a capture with more TCP streams than one segment holds must
 * number, count and analyse the streams past the boundary as it does the first ones.
 * Against tshark on the same pcap: 65,536 one-packet scans fill the first segment, then
 * streams on both sides of the boundary carry a handshake, data, a retransmission of it
 * and FINs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SEGMENT_BITS } from '../../src/core/stream/conversationColumns';
import { RawPcapRecords, SYN, tcpFrame } from '../support/rawTcpFrames';
import { conversationLine, loadPcap, tsharkConversations, tsharkNumbers, tsharkStreams } from '../support/streamOracle';
import { oracleMissing } from './oracle';

function capture(): { path: string; fullStreams: number[] } {
  const records = new RawPcapRecords();
  const server = [10, 7, 0, 2];
  const scans = 1 << SEGMENT_BITS;
  // Streams 0 .. 65,535: a SYN each from a different client address and port.
  for (let i = 0; i < scans; i++) records.write(tcpFrame([10, 8, i >> 8, i & 0xff], 20_000 + (i % 1000), server, 80, 1000 + i, 0, SYN, 0));
  // Streams 65,536 + k: whole exchanges, interleaved so that both segments are written in turn.
  const fullStreams: number[] = [];
  const client = [10, 9, 0, 1];
  for (let k = 0; k < 8; k++) {
    records.exchange(client, 40_000 + k, server, 5000 + k * 100_000, 9000 + k * 100_000, 100, 300);
    // One more SYN to an already seen scan stream, in the first segment: its counts change after the boundary.
    records.write(tcpFrame([10, 8, 0, k], 20_000 + k, server, 80, 1000 + k, 0, SYN, 0));
    fullStreams.push(scans + k);
  }
  const dir = mkdtempSync(join(tmpdir(), 'dnc-segments-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'segments.pcap');
  writeFileSync(path, records.pcap());
  return { path, fullStreams };
}

test('streams past the first segment of 65,536: numbers, conversations and retransmissions as tshark has them', { skip: oracleMissing('tshark') }, () => {
  const { path, fullStreams } = capture();
  const { store, table } = loadPcap(path);
  const ours: string[] = [];
  const retransmissions: number[] = [];
  for (let row = 0; row < store.size; row++) {
    const n = store.numberOf(row);
    const stream = table.tcpStream(store.columns, store.slot(row), n);
    if (stream >= 0) ours.push(`${n} ${stream}`);
    if (table.isRetransmission(n)) retransmissions.push(n);
  }
  assert.deepEqual(ours, tsharkStreams(path, 'tcp'), 'tcp.stream of each packet');
  assert.deepEqual(retransmissions, tsharkNumbers(path, 'tcp.analysis.retransmission'), 'tcp.analysis.retransmission');
  // The repeated data of each whole exchange, and each repeated SYN (same sequence number) of a scan.
  assert.equal(retransmissions.length, 2 * fullStreams.length, 'two retransmissions per round');
  const conversations = table.tcp.map((c) => conversationLine(`${c.addressA}:${c.portA}`, `${c.addressB}:${c.portB}`, c.packetsAtoB, c.bytesAtoB, c.packetsBtoA, c.bytesBtoA));
  assert.deepEqual(conversations.sort(), tsharkConversations(path, 'tcp'), 'conv,tcp');
  for (const index of fullStreams) {
    const c = table.conversation('tcp', index);
    assert.deepEqual([c?.addressA, c?.packetsAtoB, c?.packetsBtoA, c?.bytesAtoB], ['10.9.0.1', 5, 3, 5 * 40 + 200], `tcp.stream ${index}`);
  }
});
