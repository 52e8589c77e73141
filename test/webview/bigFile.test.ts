/**
 * A capture file too large to hold, in the real inspector bundle (issue 12
 * goal 9): the host streams it (src/extension/file/) through the real
 * InspectorConnection to the page, whose store keeps a byte cache far smaller
 * than the file. Every packet is listed; a far packet, whose bytes left the
 * cache, shows its own bytes once selected (tshark -x is the oracle), its Info
 * fills in on screen, and a filter on packet contents says it saw only part.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { IndexedFileReader } from '../../src/extension/file/indexedFileReader';
import { BIG_FILE_NOTICE, StreamedFileCapture } from '../../src/extension/file/streamedFileCapture';
import { generatePcap, type GeneratedPcap } from '../../bench/lib/generatePcap';
import { RawPcapRecords } from '../support/rawTcpFrames';
import { tsharkNumbers } from '../support/streamOracle';
import { launchChromium } from '../support/chromium';
import { buildWebview } from './buildBundle';
import { startHarnessServer, type HarnessServer } from './harnessServer';
import { bridgeHost, type HostBridge } from './hostBridge';
import { REPO_ROOT } from './harnessSession';
import { until, visibleRows } from './inspectorPage';

const PACKETS = 30_000;
const CACHE = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'dnc-webview-bigfile-'));
let file: GeneratedPcap;
let server: HarnessServer;
let browser: Browser;

before(async () => {
  buildWebview(REPO_ROOT);
  file = generatePcap(join(dir, 'big.pcap'), PACKETS, 11, 'realistic');
  server = await startHarnessServer(REPO_ROOT);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** tshark's hex dump of packet `n` as one lowercase hex string. */
function tsharkBytes(path: string, n: number): string {
  const text = execFileSync('tshark', ['-r', path, '-c', String(n), '-x', '-Y', `frame.number == ${n}`], { encoding: 'utf8' });
  return text.split('\n').filter((l) => /^[0-9a-f]{4}  /.test(l)).map((l) => l.slice(6, 6 + 48).replace(/\s+/g, '')).join('');
}

/** The inspector's hex pane as one lowercase hex string. */
async function shownBytes(page: Page): Promise<string> {
  const lines = await page.$$eval('.hex-line', (ls) => ls.map((l) => l.textContent ?? ''));
  return lines.map((l) => l.slice(6, 6 + 48).replace(/\s+/g, '')).join('').toLowerCase();
}

/** A fresh page bridged to `model` as the extension host would serve it; `errors` collects the page's. */
async function openBridged(model: StreamedFileCapture, inFlightBytes: number): Promise<{ context: BrowserContext; page: Page; errors: string[]; bridge: HostBridge }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url);
    return { context, page, errors, bridge: await bridgeHost(page, model, { inFlightBytes }) };
  } catch (e) {
    await context.close();
    throw e;
  }
}

test('a file many times the byte cache: all packets listed, a far packet shows its own bytes from the file, contents filters say what they missed', async () => {
  assert.ok(file.bytes > 5 * CACHE, `the file (${file.bytes} bytes) is several times the cache`);
  const model = new StreamedFileCapture('big.pcap', await IndexedFileReader.open(file.path, 256 * 1024), () => undefined, CACHE);
  const { context, page, errors, bridge } = await openBridged(model, 2 * 1024 * 1024);
  try {
    const expectedCounter = `${PACKETS.toLocaleString('en-US')} packets`;
    await until(async () => (await page.textContent('[data-counter="packets"]')) === expectedCounter, 60_000);
    await until(async () => ((await page.textContent('#status-line')) ?? '').includes(`${PACKETS.toLocaleString('en-US')} packets from big.pcap`), 10_000);
    assert.ok(((await page.textContent('#status-line')) ?? '').includes(BIG_FILE_NOTICE), 'the status line says what is limited');

    // The first rows' bytes left the cache long ago: their Info is asked for and fills in.
    // The list takes keys once focused (a click on a row), as a user's would.
    await page.click('.list-scroller', { position: { x: 300, y: 60 } });
    await page.keyboard.press('Home');
    await until(async () => (await visibleRows(page))[0]?.[0] === '1');
    await until(async () => (await visibleRows(page)).slice(0, 5).every((r) => (r.at(-1) ?? '') !== ''), 10_000);
    assert.ok((bridge.posted.get('frameBytes') ?? 0) > 0, 'the bytes came from the host on request');

    // A far packet selected: its detail and hexdump are its bytes in the file.
    await page.click('.list-row[data-number="2"]');
    await until(async () => ((await page.textContent('.layer > summary')) ?? '').startsWith('Frame 2:'));
    await until(async () => (await shownBytes(page)) !== '');
    assert.equal(await shownBytes(page), tsharkBytes(file.path, 2));
    const summary = (await page.textContent('.layer > summary')) ?? '';
    assert.match(summary, /^Frame 2: (\d+) bytes on wire, \1 bytes captured$/);

    // The last packet, still in the cache, too.
    await page.keyboard.press('End');
    await until(async () => (await page.textContent('.list-row.selected .col-number')) === String(PACKETS));
    await until(async () => ((await page.textContent('.layer > summary')) ?? '').startsWith(`Frame ${PACKETS}:`));
    assert.equal(await shownBytes(page), tsharkBytes(file.path, PACKETS));

    // A filter on packet contents cannot see every packet here: it says so instead of a silent partial answer.
    await page.fill('#filter-input', 'frame contains "GET"');
    await page.press('#filter-input', 'Enter');
    await until(async () => ((await page.textContent('#action-notice')) ?? '').startsWith('Large file:'), 10_000);
    assert.match((await page.textContent('#action-notice')) ?? '', /packets were left out because their bytes are not in memory/);
    assert.deepEqual(errors, []);
  } finally {
    await bridge.close();
    await context.close();
    model.dispose();
  }
});

test('a file many times the byte cache: the TCP analysis still sees every packet (tcp.analysis.retransmission as tshark has it, nothing left out)', async () => {
  // 600 exchanges, each with its request sent twice: ~2.5 MB against a cache of 256 KiB.
  const exchanges = 600;
  const records = new RawPcapRecords();
  for (let k = 0; k < exchanges; k++) records.exchange([10, 9, k >> 8, k & 0xff], 40_000, [10, 7, 0, 2], 1000 + k, 500_000 + k, 1200, 1400);
  const path = join(dir, 'retransmissions.pcap');
  writeFileSync(path, records.pcap());
  const expected = tsharkNumbers(path, 'tcp.analysis.retransmission');
  assert.equal(expected.length, exchanges, 'tshark sees one retransmission per exchange');
  const cache = 256 * 1024;
  const model = new StreamedFileCapture('retransmissions.pcap', await IndexedFileReader.open(path, 64 * 1024), () => undefined, cache);
  const { context, page, errors, bridge } = await openBridged(model, 128 * 1024);
  try {
    const packets = 8 * exchanges;
    await until(async () => (await page.textContent('[data-counter="packets"]')) === `${packets.toLocaleString('en-US')} packets`, 60_000);
    await page.fill('#filter-input', 'tcp.analysis.retransmission');
    await page.press('#filter-input', 'Enter');
    await until(async () => (await page.textContent('[data-counter="shown"]')) === `${exchanges} shown`, 10_000);
    await page.click('.list-scroller', { position: { x: 300, y: 60 } });
    await page.keyboard.press('Home');
    await until(async () => (await visibleRows(page))[0]?.[0] === String(expected[0]));
    assert.deepEqual((await visibleRows(page)).slice(0, 5).map((r) => Number(r[0])), expected.slice(0, 5), 'the first retransmissions, as tshark numbers them');
    assert.doesNotMatch((await page.textContent('#action-notice')) ?? '', /Large file/, 'no packet was left out');
    assert.deepEqual(errors, []);
  } finally {
    await bridge.close();
    await context.close();
    model.dispose();
  }
});
