/**
 * The TCP analysis of streams that have a single segment, or whose full state is made
 * only at their second (tcpSequenceAnalysis.ts, FirstSegments): against tshark on a pcap
 * of a scan's lone SYNs, a SYN sent again with its sequence number (a retransmission), a
 * port used again with another initial sequence number (a new stream), a stream seen from
 * its SYN-ACK, and a stream joined mid-way whose second segment repeats its first. And
 * what the lone streams cost: no full state (86 bytes a stream) until a second segment.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PacketStore } from '../../src/core/packetStore';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { StreamTable } from '../../src/core/stream/streamTable';
import { ACK, PSH_ACK, RawPcapRecords, SYN, SYN_ACK, tcpFrame } from '../support/rawTcpFrames';
import { conversationLine, loadPcap, tsharkConversations, tsharkNumbers, tsharkStreams } from '../support/streamOracle';
import { oracleMissing } from './oracle';

const dir = mkdtempSync(join(tmpdir(), 'dnc-first-segments-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT = [10, 7, 0, 2];
const SERVER = [10, 7, 0, 3];

/** `reuse`: with the client port used again (tshark's conv,tcp then counts the two streams' bytes oddly: only stream numbers are compared). */
function capture(reuse: boolean): RawPcapRecords {
  const records = new RawPcapRecords();
  // A scan: one SYN to each of 40 ports, never answered.
  for (let port = 1000; port < 1040; port++) records.write(tcpFrame(CLIENT, 40000, SERVER, port, 5000 + port, 0, SYN, 0));
  // A SYN sent again a second later with the same sequence number: the same stream, a retransmission.
  records.write(tcpFrame(CLIENT, 40001, SERVER, 80, 777, 0, SYN, 0));
  records.write(tcpFrame(CLIENT, 40001, SERVER, 80, 777, 0, SYN, 0), 1_000_000);
  if (reuse) {
    // The same client port used again with another initial sequence number: a new stream, answered.
    records.write(tcpFrame(CLIENT, 40001, SERVER, 80, 90_000, 0, SYN, 0), 2_000_000);
    records.write(tcpFrame(SERVER, 80, CLIENT, 40001, 300, 90_001, SYN_ACK, 0), 200);
    records.write(tcpFrame(CLIENT, 40001, SERVER, 80, 90_001, 301, ACK, 0), 200);
  }
  // Seen from its SYN-ACK: the server is side B.
  records.write(tcpFrame(SERVER, 443, CLIENT, 40002, 1, 51, SYN_ACK, 0));
  records.write(tcpFrame(CLIENT, 40002, SERVER, 443, 51, 2, ACK, 0), 200);
  // Joined mid-way: a data segment, then the same bytes half a second later (a retransmission).
  records.write(tcpFrame(CLIENT, 40003, SERVER, 8080, 123_456, 999, PSH_ACK, 100));
  records.write(tcpFrame(CLIENT, 40003, SERVER, 8080, 123_456, 999, PSH_ACK, 100), 500_000);
  return records;
}

describe('streams of one segment, and full state made at the second', { skip: oracleMissing('tshark') }, () => {
  /** tcp.stream of each packet and the retransmissions, ours and tshark's. */
  function streamsAndRetransmissions(path: string): { table: StreamTable } {
    const { store, table } = loadPcap(path);
    const streams: string[] = [];
    const retransmissions: number[] = [];
    for (let row = 0; row < store.size; row++) {
      const n = store.numberOf(row);
      streams.push(`${n} ${table.tcpStream(store.columns, store.slot(row), n)}`);
      if (table.isRetransmission(n)) retransmissions.push(n);
    }
    assert.deepEqual(streams, tsharkStreams(path, 'tcp'), 'tcp.stream of each packet');
    assert.deepEqual(retransmissions, tsharkNumbers(path, 'tcp.analysis.retransmission'), 'tcp.analysis.retransmission');
    // The cases above happened: the repeated SYN and the repeated data.
    assert.equal(retransmissions.length, 2);
    return { table };
  }

  it('stream numbers, conversations and retransmissions equal tshark\'s', () => {
    const path = join(dir, 'first-segments.pcap');
    writeFileSync(path, capture(false).pcap());
    const { table } = streamsAndRetransmissions(path);
    const conversations = table.tcp.map((c) => conversationLine(`${c.addressA}:${c.portA}`, `${c.addressB}:${c.portB}`, c.packetsAtoB, c.bytesAtoB, c.packetsBtoA, c.bytesBtoA));
    assert.deepEqual(conversations.sort(), tsharkConversations(path, 'tcp'), 'conv,tcp');
  });

  it('a port used again after a lone SYN and its retransmission: a new stream, as tshark numbers it', () => {
    const path = join(dir, 'port-reuse.pcap');
    writeFileSync(path, capture(true).pcap());
    const { table } = streamsAndRetransmissions(path);
    assert.equal(table.tcp.filter((c) => c.portA === 40001).length, 2, 'the reused port is two streams');
  });
});

describe('what lone streams cost', () => {
  it('20,000 streams of a lone SYN hold at least 80 bytes a stream less than the same streams with the SYN sent twice', () => {
    const held = (segmentsPerStream: number): number => {
      const store = new PacketStore({ maxPackets: 100_000, summarize, summarizeColumns });
      for (let i = 0; i < 20_000; i++) {
        const port = 1024 + (i % 60_000);
        const client = [10, 8, i >> 8, i & 0xff];
        for (let k = 0; k < segmentsPerStream; k++) {
          store.append({ tsSec: 1_700_000_000, tsUsec: i, interfaceName: 'eth0', direction: 'in', linkType: 101, originalLength: 40, data: tcpFrame(client, port, SERVER, 80, 1000, 0, SYN, 0) });
        }
      }
      const table = new StreamTable(store);
      table.update();
      assert.equal(table.streamCount('tcp'), 20_000);
      return table.heldBytes;
    };
    const lone = held(1);
    const twice = held(2);
    // The full TCP state (86 bytes a stream) is made only for the streams with a second segment; the
    // other differences (the hash and the per-packet column sized for twice the packets) are ~30 bytes a stream.
    assert.ok(twice - lone >= 20_000 * 80, `lone ${lone} bytes, two segments ${twice} bytes`);
  });
});
