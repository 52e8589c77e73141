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
import { dnsExchanges } from '../../src/core/stream/dnsExchanges';
import { followStream } from '../../src/core/stream/followStream';
import { httpExchanges } from '../../src/core/stream/httpExchanges';
import { oracleMissing } from './oracle';
import { conversationLine, loadPcap, tsharkConversations, tsharkFollow, tsharkDnsPairs, tsharkHttpPairs, tsharkNumbers, tsharkStreams } from '../support/streamOracle';

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
  // tshark names the packets that complete the request and the response (its reassembly is on).
  const http = httpExchanges(store, table).filter((e) => e.response).map((e) => `${e.request.lastPacket} ${e.response?.lastPacket ?? ''}`);
  assert.deepEqual(http, tsharkHttpPairs(path), 'http.request_in of each response');
  const dns = dnsExchanges(store, table).filter((e) => e.responsePacket !== undefined).map((e) => `${e.queryPacket} ${e.responsePacket ?? ''}`);
  assert.deepEqual(dns, tsharkDnsPairs(path), 'dns.response_to of each response');
}

describe('streams and conversations against tshark', { skip: oracleMissing('tshark') }, () => {
  for (const path of PCAPS) {
    it(`${path.slice(FIXTURES.length + 1)}: stream numbers, conversations, Follow Stream, retransmissions`, () => checkAgainstTshark(path));
  }
});

describe('what the HTTP and DNS views show', () => {
  it('loopback-http.pcap: GET /index.html paired with 200 OK, headers, sizes, body and times', () => {
    const { store, table } = loadPcap(join(FIXTURES, 'loopback-http.pcap'));
    const [exchange, ...rest] = httpExchanges(store, table);
    assert.equal(rest.length, 0);
    assert.ok(exchange?.response);
    assert.deepEqual([exchange.method, exchange.uri, exchange.host, exchange.status, exchange.client, exchange.server], ['GET', '/index.html', '127.0.0.1:8080', 200, '127.0.0.1:53914', '127.0.0.1:8080']);
    assert.equal(new TextDecoder().decode(exchange.response.body), 'hello from dnc\n');
    assert.equal(exchange.response.bodySize, 15);
    assert.ok(exchange.response.headers.some(([k, v]) => k === 'Content-type' && v === 'text/html'));
    assert.ok(exchange.response.complete && exchange.request.complete);
    assert.ok((exchange.timeToFirstByte ?? -1) >= 0 && (exchange.timeToComplete ?? -1) >= (exchange.timeToFirstByte ?? 0));
  });

  it('loopback-dns.pcap: each query with its answer', () => {
    const { store, table } = loadPcap(join(FIXTURES, 'loopback-dns.pcap'));
    const exchanges = dnsExchanges(store, table);
    assert.equal(exchanges.length, 4);
    assert.ok(exchanges.every((e) => e.responsePacket !== undefined && e.answer?.includes(e.name)));
    assert.ok(exchanges.some((e) => e.type === 'A'));
  });
});
