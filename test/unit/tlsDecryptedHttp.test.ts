/**
 * Decrypted TLS decoded further, against tshark on the same capture and key log
 * (test/support/tlsFixtures/h1h2.*: Node's http2 client and curl --http2 against a Node
 * server, then Node's https client over HTTP/1.1, all real sessions made by
 * makeHttp2Fixture.ts). The packets go the inspector's way: the host's decryptor (with
 * hpack.js) and frameDecryption, the webview's TlsDecryptions, then the display filter,
 * Follow TLS Stream and the HTTP exchanges on top.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createHpackDecoder } from '../../src/client/tls/hpackDecoder';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { compileFilter, FilteredRows } from '../../src/core/filter/index';
import { MAGIC_TYPE } from '../../src/core/http2/http2Frame';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PacketStore } from '../../src/core/packetStore';
import { followTlsStream } from '../../src/core/stream/followTls';
import { http2Exchanges } from '../../src/core/stream/http2Exchanges';
import { httpExchanges } from '../../src/core/stream/httpExchanges';
import { StreamTable } from '../../src/core/stream/streamTable';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import { frameDecryption } from '../../src/extension/tls/tabTlsDecryption';
import type { TlsFrameDecryption } from '../../src/protocol/webviewMessages';
import { TlsDecryptions } from '../../webview/tlsDecryptions';

const DIR = join(__dirname, '..', 'support', 'tlsFixtures');
const PCAP = join(DIR, 'h1h2.pcap');
const KEYS = join(DIR, 'h1h2.keys');

const file = readPcapFile(readFileSync(PCAP));
const store = new PacketStore({ maxPackets: 10_000, summarize, summarizeColumns });
for (const r of file.records) store.append({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: '', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data });
const table = new StreamTable(store);
table.update();

const decryptor = new TlsDecryptor(nodeTlsCrypto, { hpack: createHpackDecoder });
decryptor.addKeyLog(readFileSync(KEYS, 'utf8'), true);
file.records.forEach((r, i) => decryptor.addFrame(i, r.data, r.linkType));
decryptor.finish();
const states: TlsFrameDecryption[] = [];
file.records.forEach((_, i) => {
  const state = frameDecryption(i + 1, decryptor.recordsOf(i) ?? [], decryptor.decryptedPayload(i));
  if (state) states.push(state);
});
const tls = new TlsDecryptions();
tls.update(states, true, 0);

/** tshark's fields per frame, with the key log; `|` joins a field's occurrences. */
function tsharkFields(filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-n', '-r', PCAP, '-o', `tls.keylog_file:${KEYS}`, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter(Boolean).map((line) => line.split('\t'));
}

function ours(filter: string): number[] {
  const compiled = compileFilter(filter, { hostnames: {}, decrypted: tls });
  if (!compiled.ok) assert.fail(`'${filter}' did not compile: ${compiled.message}`);
  const rows = new FilteredRows(store);
  rows.setPredicate(compiled.predicate);
  return [...rows.toArray()];
}

describe('HTTP/2 frames of decrypted TLS, as tshark reads them', () => {
  const theirs = tsharkFields('http2', ['frame.number', 'http2.type', 'http2.streamid', 'http2.header.name', 'http2.header.value', '_ws.col.Info']);

  it('the same packets carry HTTP/2 frames: Node http2 and curl connections both', () => {
    const mine = states.filter((s) => s.http2 && s.http2.some((f) => f.type !== MAGIC_TYPE)).map((s) => s.number);
    assert.deepEqual(mine, theirs.map(([n]) => Number(n)));
    assert.ok(mine.length >= 12, `only ${mine.length} packets with HTTP/2 frames`);
  });

  it('every frame: type, stream id and the decoded header list (HPACK), in order', () => {
    for (const [n = '', types = '', ids = '', names = '', values = ''] of theirs) {
      const frames = (tls.http2(Number(n)) ?? []).filter((f) => f.type !== MAGIC_TYPE);
      assert.equal(frames.map((f) => f.type).join('|'), types, `packet ${n}: types`);
      assert.equal(frames.map((f) => f.streamId).join('|'), ids, `packet ${n}: stream ids`);
      const headers = frames.flatMap((f) => f.headers ?? []);
      assert.equal(headers.map(([k]) => k).join('|'), names, `packet ${n}: header names`);
      assert.equal(headers.map(([, v]) => v).join('|'), values, `packet ${n}: header values`);
    }
    const paths = states.flatMap((s) => s.http2 ?? []).flatMap((f) => f.headers ?? []).filter(([k]) => k === ':path').map(([, v]) => v);
    assert.deepEqual(paths, ['/api/items?page=1', '/api/echo', '/api/items?page=2', '/page.txt', '/api/curl']);
  });

  it('the Info column names the frames as Wireshark does (HEADERS[1]: GET /path), protocol HTTP2', () => {
    for (const [n = '', , , , , info = ''] of theirs) {
      const row = tls.rowText(Number(n), 'TLSv1.3', 'Application Data');
      assert.equal(row.protocol, 'HTTP2');
      const mine = row.info.replace(/ \[decrypted TLS\]$/, '');
      // tshark appends what it read in DATA (", JavaScript Object Notation …", " (text/plain)").
      assert.ok(info.startsWith(mine), `packet ${n}: '${mine}' vs tshark '${info}'`);
    }
  });
});

describe('display filters on decrypted TLS, against tshark -Y', () => {
  const CASES = [
    'http.request.method == "GET"',
    'http.request.uri contains "/api"',
    'http.request.uri == "/missing"',
    'http.response.code == 200',
    'http.response.code == 404',
    'http.response.code >= 400',
    'http',
    'http.request',
    'http.response',
    'http2',
    'http2.headers.path',
    'http2.headers.method == "POST"',
    'http2.headers.path contains "/api"',
    'http2.headers.path matches "page=[0-9]"',
    'http2.headers.status == 200',
    'http2.headers.status >= 300',
    'http2.header.name == "x-served-by"',
    'http2.header.value == "curl"',
    'http2.streamid == 3',
    'http2.type == 7',
    'http2.type == 1 and http2.streamid == 1',
    'http2.streamid != 0',
    'tls and not http2',
  ];
  for (const filter of CASES) {
    it(filter, () => {
      const expected = tsharkFields(filter, ['frame.number']).map(([n]) => Number(n));
      assert.deepEqual(ours(filter), expected);
    });
  }

  it('the filters found something to match (the fixture has HTTP/1.1 and HTTP/2 inside TLS)', () => {
    assert.ok(ours('http.response.code == 404').length === 1);
    assert.ok(ours('http2.headers.method == "POST"').length === 1);
  });
});

describe('Follow TLS Stream and HTTP exchanges on decrypted data', () => {
  /** tshark's `follow,tls,raw,N`: both sides' plaintext. */
  function tsharkFollow(stream: number): Buffer[] {
    const out = execFileSync('tshark', ['-r', PCAP, '-o', `tls.keylog_file:${KEYS}`, '-q', '-z', `follow,tls,raw,${stream}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const sides: Buffer[][] = [[], []];
    const lines = out.split('\n');
    for (const line of lines.slice(lines.findIndex((l) => l.startsWith('Node 1:')) + 1)) {
      if (line.startsWith('====')) break;
      if (/^\t?[0-9a-f]+$/.test(line)) (sides[line.startsWith('\t') ? 1 : 0] as Buffer[]).push(Buffer.from(line.trim(), 'hex'));
    }
    return sides.map((s) => Buffer.concat(s));
  }

  for (const stream of table.tcp.map((c) => c.index)) {
    it(`tcp.stream ${stream}: both sides' plaintext, as tshark follows it`, () => {
      const followed = followTlsStream(store, table, stream, (n) => tls.plaintext(n));
      assert.ok(followed, 'nothing decrypted');
      assert.equal(followed.protocol, 'tls');
      const mine = followed.sides.map((s) => Buffer.from(s.all()).toString('hex')).sort();
      const theirs = tsharkFollow(stream).map((s) => s.toString('hex')).sort();
      assert.deepEqual(mine, theirs);
      const client = Buffer.from(followed.sides[0].all()).toString('latin1');
      assert.match(client, /^(PRI \* HTTP\/2\.0|GET \/api\/v1\/items HTTP\/1\.1)/);
    });
  }

  it('HTTP/1.1 inside TLS: each request paired with its response, as tshark pairs them', () => {
    const exchanges = httpExchanges(store, table, (n) => tls.plaintext(n)).filter((e) => e.decrypted);
    const theirs = tsharkFields('http.response', ['http.request_in', 'frame.number', 'http.response.code']);
    assert.deepEqual(exchanges.map((e) => [e.method, e.uri, e.status]), [['GET', '/api/v1/items', 200], ['GET', '/missing', 404]]);
    assert.deepEqual(exchanges.map((e) => [e.request.firstPacket, e.response?.lastPacket, e.status]), theirs.map(([req, res, code]) => [Number(req), Number(res), Number(code)]));
    assert.equal(httpExchanges(store, table).length, 0, 'without decryption there is no HTTP to see');
  });

  it('HTTP/2 inside TLS: each stream\'s request paired with its response, as tshark reads the HEADERS frames', () => {
    const exchanges = http2Exchanges(store, table, (n) => tls.http2(n));
    /** [packet, tcp.stream, h2 stream, value] of the HEADERS frames carrying `field`. */
    const headersWith = (field: string): string[][] => tsharkFields(field, ['frame.number', 'tcp.stream', 'http2.type', 'http2.streamid', field]).map(([n = '', tcp = '', types = '', ids = '', value = '']) => {
      const at = types.split('|').indexOf('1');
      return [n, tcp, ids.split('|')[at] ?? '', value];
    });
    const responses = new Map(headersWith('http2.headers.status').map(([n, tcp, id, status]) => [`${tcp}/${id}`, [Number(n), Number(status)]]));
    const paths = new Map(headersWith('http2.headers.path').map(([, tcp, id, path]) => [`${tcp}/${id}`, path]));
    const expected = headersWith('http2.headers.method').map(([n, tcp, id, method]) => {
      const [response, status] = responses.get(`${tcp}/${id}`) ?? [];
      return [Number(n), method, paths.get(`${tcp}/${id}`), response, status];
    });
    assert.deepEqual(exchanges.map((e) => [e.request.firstPacket, e.method, e.uri, e.response?.firstPacket, e.status]), expected);
    assert.equal(exchanges.length, 5);
    assert.ok(exchanges.every((e) => e.decrypted && e.response?.complete && e.request.complete));
    const page = exchanges.find((e) => e.uri === '/page.txt');
    assert.equal(page?.response?.bodySize, readFileSync(join(DIR, 'page.txt')).length, 'DATA frames counted into the body size');
  });
});
