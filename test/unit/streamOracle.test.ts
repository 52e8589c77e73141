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
import { httpExchanges } from '../../src/core/stream/httpExchanges';
import { oracleMissing } from './oracle';
import { checkAgainstTshark, loadPcap } from '../support/streamOracle';

const FIXTURES = join(__dirname, '..', 'fixtures');
const PCAPS = [
  ...readdirSync(FIXTURES).filter((f) => f.endsWith('.pcap')).map((f) => join(FIXTURES, f)),
  ...readdirSync(join(FIXTURES, 'streams')).filter((f) => f.endsWith('.pcap')).map((f) => join(FIXTURES, 'streams', f)),
].sort();

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
