/**
 * What the CLI prints with --tls-keylog, on the committed real TLS captures: JSON and NDJSON
 * records carry decrypted_payload beside payload, text shows a second hexdump under the
 * record; keys that arrive later still decrypt what was printed (in place for -j, as late
 * entries for text and NDJSON); wrong keys leave records encrypted with the reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PrinterOutput } from '../../src/cli/printerOutput';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { parseCliArguments, UsageError } from '../../src/cli/cliArguments';
import { PacketPrinter, type OutputFormat } from '../../src/cli/packetPrinter';
import { TlsPrinting } from '../../src/cli/tlsPrinting';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { tlsFixture } from '../support/tlsFrames';

const REQUEST = 'GET /page.txt HTTP/1.0\r\n\r\n';

function print(format: OutputFormat, keyLog: string | undefined, lateKeyLog?: string): Promise<string> {
  const fx = tlsFixture('tls13-aes128gcm');
  let out = '';
  const tls = new TlsPrinting(nodeTlsCrypto);
  if (keyLog !== undefined) tls.addKeyLog(keyLog, 'keys.log');
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const printer = new PacketPrinter(format, new PrinterOutput(stream, () => undefined), tls);
  fx.frames.forEach((f, i) => printer.add({ data: f.data, linkType: f.linkType, originalLength: f.data.length, tsSec: 1_700_000_000, tsUsec: i, interfaceName: 'lo', direction: 'out' }));
  if (lateKeyLog !== undefined) tls.addKeyLog(lateKeyLog, 'keys.log', true);
  // Late entries are queued in a microtask, like a key log read during a live capture.
  return new Promise((resolve) => setImmediate(() => {
    printer.finish();
    setImmediate(() => resolve(out));
  }));
}

type Row = { payload: string; protocol: string; info: string; decrypted_payload?: string; type?: string; frame?: number };
const rows = (ndjson: string): Row[] => ndjson.trim().split('\n').map((l) => JSON.parse(l) as Row);
const plain = (r: Row): string => Buffer.from(r.decrypted_payload ?? '', 'hex').toString('latin1');

describe('CLI output with --tls-keylog', () => {
  it('NDJSON: the request and the response decrypted beside the encrypted payload, as HTTP', async () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const decrypted = rows(await print('ndjson', fx.keyLog)).filter((r) => r.decrypted_payload);
    assert.equal(plain(decrypted[0]!), REQUEST);
    assert.equal(decrypted[0]!.protocol, 'HTTP');
    assert.match(decrypted[0]!.info, /^GET \/page\.txt HTTP\/1\.0 \[decrypted TLS\]$/);
    assert.notEqual(decrypted[0]!.payload, decrypted[0]!.decrypted_payload);
    const response = decrypted.slice(1).map(plain).join('');
    assert.match(response, /^HTTP\/1\.0 200 ok\r\n/);
    assert.ok(response.endsWith(fx.page.toString('latin1')), 'the served page, whole');
  });

  it('-j: the same records, and keys read after the packets still decrypt them in place', async () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const now = JSON.parse(await print('json', fx.keyLog)) as Row[];
    const later = JSON.parse(await print('json', '', fx.keyLog)) as Row[];
    assert.deepEqual(later.map((r) => r.decrypted_payload), now.map((r) => r.decrypted_payload));
    assert.deepEqual(later.map((r) => r.info), now.map((r) => r.info));
    assert.equal(plain(now.find((r) => r.decrypted_payload)!), REQUEST);
  });

  it('NDJSON with keys arriving later: a late entry per frame, naming it', async () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const all = rows(await print('ndjson', '', fx.keyLog));
    const late = all.filter((r) => r.type === 'tls_decrypted');
    assert.ok(late.length >= 2);
    const request = late.find((r) => plain(r) === REQUEST);
    assert.ok(request, 'the request, late');
    assert.match(all[request.frame! - 1]!.info, /not decrypted: no CLIENT_(HANDSHAKE_)?TRAFFIC_SECRET/);
  });

  it('text: the decrypted bytes under the record; without keys, the reason', async () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const text = await print('text', fx.keyLog);
    assert.match(text, /\nDecrypted TLS \(26 bytes\):\n  00 01 02 .*\n\+-+\+-+\+\n\| 47 45 54 20 2F 70 61 67 65 2E 74 78 74 20 48 54 \|GET \/page\.txt HT\|/);
    const wrong = await print('text', fx.keyLog.replace(/^(\S+ [0-9a-f]{64} )([0-9a-f])/gm, (_, h: string, d: string) => h + (d === '0' ? '1' : '0')));
    assert.doesNotMatch(wrong, /Decrypted TLS/);
    assert.match(wrong, /\nTLS not decrypted: .+/);
  });
});

describe('--tls-keylog on the command line', () => {
  it('takes a file or container:NAME:/path; anything else is a usage error with the reason', () => {
    assert.deepEqual(parseCliArguments(['--tls-keylog', 'keys.log', 'web']).tlsKeyLog, { kind: 'file', path: 'keys.log' });
    assert.deepEqual(parseCliArguments(['--tls-keylog=container:api-1:/tmp/k.log', '-r', 'x.pcap']).tlsKeyLog, { kind: 'container', container: 'api-1', path: '/tmp/k.log' });
    assert.throws(() => parseCliArguments(['--tls-keylog', 'container:api:relative', 'web']), (e: Error) => e instanceof UsageError && /expected container:NAME:\/absolute\/path/.test(e.message));
    assert.throws(() => parseCliArguments(['--tls-keylog', '', 'web']), UsageError);
    assert.throws(() => parseCliArguments(['web', '--tls-keylog']), /--tls-keylog needs a value/);
  });
});

describe('CLI output with --tls-keylog on HTTP/2 and HTTP/1.1 inside TLS', () => {
  it('NDJSON rows say HTTP2 with the frames (headers decoded) or HTTP with the request line', async () => {
    const dir = join(__dirname, '..', 'support', 'tlsFixtures');
    const file = readPcapFile(readFileSync(join(dir, 'h1h2.pcap')));
    const tls = new TlsPrinting(nodeTlsCrypto);
    tls.addKeyLog(readFileSync(join(dir, 'h1h2.keys'), 'utf8'), 'keys.log', true);
    let out = '';
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const printer = new PacketPrinter('ndjson', new PrinterOutput(stream, () => undefined), tls);
    for (const r of file.records) printer.add({ data: r.data, linkType: r.linkType, originalLength: r.originalLength, tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'lo', direction: 'out' });
    await new Promise<void>((resolve) => setImmediate(() => {
      printer.finish();
      setImmediate(resolve);
    }));
    const infos = rows(out).filter((r) => r.protocol === 'HTTP2' || r.protocol === 'HTTP').map((r) => `${r.protocol} ${r.info}`);
    assert.ok(infos.includes('HTTP2 Magic, SETTINGS[0], HEADERS[1]: GET /api/items?page=1 [decrypted TLS]'), infos.join('\n'));
    assert.ok(infos.includes('HTTP2 HEADERS[1]: GET /api/curl [decrypted TLS]'), infos.join('\n'));
    assert.ok(infos.some((i) => i.startsWith('HTTP GET /api/v1/items HTTP/1.1')), infos.join('\n'));
    assert.ok(infos.some((i) => i.startsWith('HTTP HTTP/1.1 404 Not Found')), infos.join('\n'));
  });
});
