/**
 * The inspector at a million packets, in headless Chromium, fed the same
 * messages the host sends. Prints the figures issue 5 asks for (time to first
 * rows, time until all are listed, filter time, scroll frame time, JS heap) and
 * asserts what must hold: every packet listed and numbered, the right filter
 * result, the scrollbar reaching the last packet, and the heap under 500 MB.
 * Times are printed, not asserted: speed targets live in `npm run bench`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import { ipv4Frame } from '../unit/filterTestFrames';
import { ARTIFACTS, webviewHarness } from './harnessSession';
import { heapAfterGcMb, measureScrollFrames } from './pageMeasurements';

const harness = webviewHarness();
const artifacts = ARTIFACTS;
const TOTAL = 1_000_000;
const PER_BATCH = 10_000;


/** One batch of mixed TCP/UDP frames with 0..400 bytes of payload; every 10th is port 80. */
function batchBase64(): string {
  const writer = new FrameBatchWriter(PER_BATCH * 300);
  for (let i = 0; i < PER_BATCH; i++) {
    const payload = new Uint8Array((i * 37) % 401).fill(0x61 + (i % 26));
    writer.add(ipv4Frame({
      src: `172.17.${(i >> 8) & 255}.${i & 255}`,
      dst: '172.17.0.3',
      transport: i % 2 === 0 ? 'tcp' : 'udp',
      srcPort: 30000 + (i % 1000),
      dstPort: i % 10 === 0 ? 80 : 5000 + (i % 7),
      payload,
      tsSec: 1_700_000_000 + Math.floor(i / 1000),
      tsUsec: (i % 1000) * 1000,
      direction: i % 3 === 0 ? 'in' : 'out',
    }));
  }
  return Buffer.from(writer.take()).toString('base64');
}

interface ScaleFigures {
  firstRowsMs: number;
  allListedMs: number;
  lastNumber: string;
}

test('a million packets: listed, filtered and scrolled within the targets', { timeout: 300_000 }, async () => {
  const page = await harness.openPage((error) => console.error(`page error: ${error.message}`));
  await page.evaluate(() => {
    const w = globalThis as unknown as { postMessage(data: unknown, origin: string): void };
    w.postMessage({ type: 'init', title: 'scale', live: true, hostnames: { '172.17.0.3': 'web' }, maxPackets: 1_000_000, status: { state: 'capturing' } }, '*');
  });
  const batch = batchBase64();
  // The host posts batches as they come; here they all come at once, the worst case for the UI.
  const figures = await page.evaluate(async ({ batch, total, perBatch }): Promise<ScaleFigures> => {
    type Doc = { querySelector(s: string): { textContent: string | null } | null };
    const g = globalThis as unknown as { postMessage(d: unknown, o: string): void; atob(s: string): string; document: Doc; requestAnimationFrame(cb: () => void): void };
    const text = g.atob(batch);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const started = performance.now();
    for (let i = 0; i < total / perBatch; i++) g.postMessage({ type: 'frames', batch: bytes }, '*');
    let firstRowsMs = -1;
    for (;;) {
      await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
      if (firstRowsMs < 0 && g.document.querySelector('.list-row:not([hidden])')) firstRowsMs = performance.now() - started;
      if (g.document.querySelector('[data-counter="packets"]')?.textContent === '1,000,000 packets') break;
      if (performance.now() - started > 120_000) break;
    }
    const allListedMs = performance.now() - started;
    await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
    return { firstRowsMs, allListedMs, lastNumber: g.document.querySelector('.list-row.selected, .list-row:not([hidden]):last-of-type .col-number')?.textContent ?? '' };
  }, { batch, total: TOTAL, perBatch: PER_BATCH });

  const rows = await page.$$eval('.list-row:not([hidden]) .col-number', (cells) => cells.map((c) => Number((c as { textContent: string | null }).textContent)));
  assert.equal(Math.max(...rows), TOTAL, 'following: the last packet is in view');
  assert.ok(rows.length < 80);

  // Filter over every stored packet; the app times it around FilteredRows.setPredicate.
  const filterStarted = Date.now();
  await page.fill('#filter-input', 'tcp.port == 80 and ip.dst == web');
  await page.press('#filter-input', 'Enter');
  await page.waitForSelector('[data-counter="shown"]:not([hidden])');
  const shown = await page.textContent('[data-counter="shown"]');
  const filterRoundTripMs = Date.now() - filterStarted;
  assert.equal(shown, '100,000 shown');

  await page.fill('#filter-input', '');
  await page.press('#filter-input', 'Enter');
  await page.waitForSelector('[data-counter="shown"]', { state: 'hidden' });

  // Scroll from top to bottom through the capped scrollbar, one step per frame.
  const scroll = await measureScrollFrames(page);
  const topRow = await page.$$eval('.list-row:not([hidden]) .col-number', (cells) => Math.max(...cells.map((c) => Number((c as { textContent: string | null }).textContent))));
  assert.equal(topRow, TOTAL, `the capped scrollbar reaches the last packet (scrollTop ${scroll.scrollTop} of ${scroll.maxScrollTop})`);

  const heapMb = await heapAfterGcMb(page);
  await page.screenshot({ path: join(artifacts, 'inspector-1m.png') });

  console.log([
    `1,000,000 packets (${PER_BATCH}-packet batches, 0..400 B payloads):`,
    `  time to first rows: ${figures.firstRowsMs.toFixed(0)} ms`,
    `  time until all listed: ${figures.allListedMs.toFixed(0)} ms`,
    `  filter 'tcp.port == 80 and ip.dst == web' (typing to rows shown, incl. browser round trip): ${filterRoundTripMs} ms`,
    `  scroll frame time: median ${scroll.median.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms (scrollHeight ${scroll.scrollHeight} px)`,
    `  JS heap after GC: ${heapMb.toFixed(0)} MB (typed columns and frame bytes live in ArrayBuffers outside it:`,
    `    ~${((Buffer.from(batch, 'base64').length * (TOTAL / PER_BATCH)) / 1e6).toFixed(0)} MB of frame batches received, ~${((TOTAL * 90) / 1e6).toFixed(0)} MB of columns)`,
  ].join('\n'));
  assert.ok(heapMb < 500, `heap ${heapMb} MB`);
  await page.close();
});
