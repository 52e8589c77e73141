/**
 * Decrypted TLS in real Chromium, on the real HTTPS capture of test/support/tlsFixtures
 * (h1h2: HTTP/2 from Node and curl, HTTP/1.1 from Node): the host's decryption (the same
 * code the extension host runs) reaches the page as `tlsDecryption` messages; a display
 * filter on decrypted HTTP/2 and HTTP/1.1 fields finds the packets, the detail pane lists
 * the HTTP/2 frames with their headers, Follow TLS Stream (row context menu) shows the
 * plaintext, and the exchanges view lists the HTTPS/1.1 exchanges.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createHpackDecoder } from '../../src/client/tls/hpackDecoder';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import { frameDecryption } from '../../src/extension/tls/tabTlsDecryption';
import type { TlsFrameDecryption } from '../../src/protocol/webviewMessages';
import { webviewHarness } from './harnessSession';
import { openInspector, pickFromMenu, send, sendFrames, until, visibleRows } from './inspectorPage';

const harness = webviewHarness();
const DIR = join(__dirname, '..', 'support', 'tlsFixtures');
const records = readPcapFile(readFileSync(join(DIR, 'h1h2.pcap'))).records;
const FRAMES: CapturedFrame[] = records.map((r) => ({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'lo', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data }));

function decrypted(): TlsFrameDecryption[] {
  const d = new TlsDecryptor(nodeTlsCrypto, { hpack: createHpackDecoder });
  d.addKeyLog(readFileSync(join(DIR, 'h1h2.keys'), 'utf8'), true);
  records.forEach((r, i) => d.addFrame(i, r.data, r.linkType));
  d.finish();
  return records.flatMap((_, i) => frameDecryption(i + 1, d.recordsOf(i) ?? [], d.decryptedPayload(i)) ?? []);
}

async function loaded(): Promise<Page> {
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'web', live: false, hostnames: {}, maxPackets: 1000, status: { state: 'file' } });
  await sendFrames(page, FRAMES);
  await until(async () => (await visibleRows(page)).length > 0);
  return page;
}

/** The No. column of the rows shown (pooled rows left empty are hidden). */
async function shownNumbers(page: Page): Promise<number[]> {
  return (await visibleRows(page)).map((cells) => Number((cells[0] ?? '').replace(/\D/g, ''))).sort((a, b) => a - b);
}

/** Applies `text` and waits for the list to show `expected` (fails with what it shows). */
async function expectFiltered(page: Page, text: string, expected: number[]): Promise<void> {
  await page.fill('#filter-input', text);
  await page.press('#filter-input', 'Enter');
  await until(async () => JSON.stringify(await shownNumbers(page)) === JSON.stringify(expected)).catch(() => undefined);
  assert.deepEqual(await shownNumbers(page), expected, text);
}

test('filters on decrypted HTTP/2 and HTTP/1.1 match once the decryption arrives; HTTP/2 frames in the detail pane', async () => {
  const page = await loaded();
  await expectFiltered(page, 'http2.headers.method == "POST"', []);
  // The filter runs again when the decryption arrives: the POST appears without retyping.
  await send(page, { type: 'tlsDecryption', keyLog: 'h1h2.keys', frames: decrypted() });
  await until(async () => JSON.stringify(await shownNumbers(page)) === '[14]');
  // Packet numbers as tshark -Y gives them on the same file and key log.
  await expectFiltered(page, 'http.request.uri contains "/api"', [40]);
  await expectFiltered(page, 'http.response.code == 404', [43]);
  await expectFiltered(page, 'http2.header.value == "curl"', [58]);
  const row = await page.$$eval('.list-row[data-number="58"] > *', (cells) => cells.map((c) => c.textContent ?? ''));
  assert.ok(row.includes('HTTP2'), row.join(' | '));
  assert.ok(row.some((c) => c.startsWith('HEADERS[1]: GET /api/curl')), row.join(' | '));

  await page.click('.list-row[data-number="58"] .col-info');
  await until(async () => (await page.$$eval('.layer > summary', (s) => s.map((e) => e.textContent ?? ''))).some((t) => t.startsWith('HTTP/2 HEADERS[1]: GET /api/curl')));
  const text = await page.textContent('body') ?? '';
  assert.match(text, /user-agent/);
  assert.match(text, /curl\/7\./);
});

test('Follow TLS Stream (Decrypted) on an HTTPS/1.1 packet: the plaintext of both sides; the exchanges view lists HTTP/1.1 and HTTP/2 exchanges as https', async () => {
  const page = await loaded();
  await send(page, { type: 'tlsDecryption', keyLog: 'h1h2.keys', frames: decrypted() });
  // The list is virtual: show the HTTPS/1.1 connection's packets so packet 40 has a row.
  await expectFiltered(page, 'http.request', [40, 42]);
  assert.match(await page.textContent('.list-row[data-number="40"]') ?? '', /GET \/api\/v1\/items HTTP\/1\.1/);
  await pickFromMenu(page, '.list-row[data-number="40"] .col-info', 'followTlsStream');
  await page.waitForSelector('#follow-view');
  assert.match(await page.textContent('.overlay-title') ?? '', /Follow TLS Stream \(tcp\.stream eq 1\)/);
  const chunks = await page.$$eval('#follow-content pre', (pres) => pres.map((p) => p.textContent ?? ''));
  assert.match(chunks[0] ?? '', /^GET \/api\/v1\/items HTTP\/1\.1\r?\n/);
  assert.match(chunks[1] ?? '', /^HTTP\/1\.1 200 OK/);
  assert.ok(chunks.some((c) => c.startsWith('HTTP/1.1 404 Not Found')));

  await page.click('.overlay-close');
  await until(async () => (await page.$('#follow-view')) === null);
  await pickFromMenu(page, '.list-row[data-number="40"] .col-info', 'showExchanges');
  await page.waitForSelector('#http-table');
  const rows = await page.$$eval('#http-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => (td as { textContent: string | null }).textContent ?? '')));
  // Request order; HTTP/2 (Node, then curl) and HTTP/1.1, all as https URLs with their status.
  assert.deepEqual(rows.map((r) => [r[0], (r[1] ?? '').replace(/^https:\/\/127\.0\.0\.1:\d+/, ''), r[2]]), [
    ['GET', '/api/items?page=1', '200'], ['POST', '/api/echo', '200'], ['GET', '/api/items?page=2', '200'], ['GET', '/page.txt', '200'],
    ['GET', '/api/v1/items', '200'], ['GET', '/missing', '404'], ['GET', '/api/curl', '200'],
  ]);
});
