/**
 * Stream numbers, conversations, Follow Stream and retransmissions against tshark on the
 * same pcaps: the fixtures, and a capture of real HTTP between two containers with
 * packet loss (test/fixtures/streams/, made by test/integration/streamsCapture.test.ts's
 * recipe; the integration test checks a fresh capture the same way).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { followStream } from '../../src/core/stream/followStream';
import { oracleMissing } from './oracle';
import { conversationLine, loadPcap, tsharkConversations, tsharkFollow, tsharkNumbers, tsharkStreams } from '../support/streamOracle';

const FIXTURES = join(__dirname, '..', 'fixtures');
const PCAPS = [
  ...readdirSync(FIXTURES).filter((f) => f.endsWith('.pcap')).map((f) => join(FIXTURES, f)),
  ...readdirSync(join(FIXTURES, 'streams')).filter((f) => f.endsWith('.pcap')).map((f) => join(FIXTURES, 'streams', f)),
].sort();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function checkAgainstTshark(path: string): void {
  const { store, table } = loadPcap(path);
  for (const protocol of ['tcp', 'udp'] as const) {
    const ours: string[] = [];
    for (let row = 0; row < store.size; row++) {
      const s = store.slot(row);
      const n = store.numberOf(row);
      const stream = protocol === 'tcp' ? table.tcpStream(store.columns, s, n) : table.udpStream(store.columns, s, n);
      if (stream >= 0) ours.push(`${n} ${stream}`);
    }
    assert.deepEqual(ours, tsharkStreams(path, protocol), `${protocol}.stream of each packet`);
    const conversations = (protocol === 'tcp' ? table.tcp : table.udp).map((c) => conversationLine(
      `${c.addressA}:${c.portA}`, `${c.addressB}:${c.portB}`, c.packetsAtoB, c.bytesAtoB, c.packetsBtoA, c.bytesBtoA));
    assert.deepEqual(conversations.sort(), tsharkConversations(path, protocol), `conv,${protocol}`);
    for (const conversation of protocol === 'tcp' ? table.tcp : table.udp) {
      const followed = followStream(store, table, protocol, conversation.index);
      assert.ok(followed);
      const theirs = tsharkFollow(path, protocol, conversation.index);
      const turns = followed.chunks.map((c) => String(c.side)).join('').replace(/(.)\1+/g, '$1');
      assert.deepEqual(
        { nodes: followed.endpoints, sides: [hex(followed.sides[0]), hex(followed.sides[1])], turns },
        theirs, `follow,${protocol},raw,${conversation.index}`);
    }
  }
  const retransmissions: number[] = [];
  for (let row = 0; row < store.size; row++) if (table.isRetransmission(store.numberOf(row))) retransmissions.push(store.numberOf(row));
  assert.deepEqual(retransmissions, tsharkNumbers(path, 'tcp.analysis.retransmission'), 'tcp.analysis.retransmission');
}

describe('streams and conversations against tshark', { skip: oracleMissing('tshark') }, () => {
  for (const path of PCAPS) {
    it(`${path.slice(FIXTURES.length + 1)}: stream numbers, conversations, Follow Stream, retransmissions`, () => checkAgainstTshark(path));
  }
});
