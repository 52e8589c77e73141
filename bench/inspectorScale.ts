/**
 * Bench 3: the inspector at 1,000,000 packets in headless Chromium: the same
 * bundle VS Code loads (dist/webview.js) in test/webview's harness page, fed
 * the same `frames` messages the host posts, with the packets of the generated
 * pcap (bench 1's file) in 10,000-packet batches. The real decoder summarizes
 * every packet as it is listed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FrameBatchWriter } from '../src/core/frameBatch';
import { readPcapFile } from '../src/core/pcap/pcapReader';
import { buildWebview } from '../test/webview/buildBundle';
import { startHarnessServer } from '../test/webview/harnessServer';
import { runPart } from './lib/childResult';
import { launchChromium } from '../test/support/chromium';
import { heapAfterGcMb, measureScrollFrames } from '../test/webview/pageMeasurements';

const root = resolve(__dirname, '..');
const PER_BATCH = 10_000;
const FILTER = 'tcp.port == 80';

export interface InspectorFigures {
  packets: number;
  firstRowsMs: number;
  allListedMs: number;
  filterMs: number;
  filterShown: string;
  expectedShown: number;
  scrollMedianMs: number;
  scrollP95Ms: number;
  heapMb: number;
  batchesMb: number;
}

function batchesFrom(path: string): { batches: Buffer[]; packets: number; http: number } {
  const file = readPcapFile(readFileSync(path));
  const batches: Buffer[] = [];
  let writer = new FrameBatchWriter(PER_BATCH * 400);
  let http = 0;
  for (const rec of file.records) {
    const d = rec.data;
    // Expected filter result, computed here independently: IPv4/TCP with port 80 either side.
    if (d[23] === 6) {
      const t = 14 + ((d[14] ?? 0) & 15) * 4;
      if ((((d[t] ?? 0) << 8) | (d[t + 1] ?? 0)) === 80 || (((d[t + 2] ?? 0) << 8) | (d[t + 3] ?? 0)) === 80) http++;
    }
    writer.add({ ...rec, interfaceName: 'eth0', direction: d[11] === 0x02 ? 'out' : 'in' });
    if (writer.frameCount === PER_BATCH) {
      batches.push(Buffer.from(writer.take()));
      writer = new FrameBatchWriter(PER_BATCH * 400);
    }
  }
  if (writer.frameCount > 0) batches.push(Buffer.from(writer.take()));
  return { batches, packets: file.records.length, http };
}

async function main(): Promise<InspectorFigures> {
  const pcap = process.argv[2];
  if (!pcap) throw new Error('usage: inspectorScale.ts FILE.pcap');
  buildWebview(root);
  const { batches, packets, http } = batchesFrom(pcap);
  const server = await startHarnessServer(root);
  const browser = await launchChromium();
  try {
    // CSP bypass only so the page can fetch the batches from this process (the harness CSP, like
    // VS Code's, has no connect-src); the app itself runs the same either way.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.route('**/bench-batch/*', (route) => {
      const i = Number(route.request().url().split('/').pop());
      return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: batches[i] ?? Buffer.alloc(0) });
    });
    await page.goto(server.url);
    await page.evaluate((max) => {
      const w = globalThis as unknown as { postMessage(data: unknown, origin: string): void };
      w.postMessage({ type: 'init', title: 'bench', live: true, hostnames: {}, maxPackets: max, status: { state: 'capturing' } }, '*');
    }, packets);
    const expectedCounter = `${packets.toLocaleString('en-US')} packets`;
    const figures = await page.evaluate(async ({ count, expectedCounter }) => {
      type Doc = { querySelector(s: string): { textContent: string | null } | null };
      const g = globalThis as unknown as {
        postMessage(d: unknown, o: string, transfer?: unknown[]): void;
        fetch(url: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>;
        document: Doc;
        requestAnimationFrame(cb: () => void): void;
      };
      // The host has the batches already; fetching them is not part of the timing.
      const buffers: ArrayBuffer[] = [];
      for (let i = 0; i < count; i++) buffers.push(await (await g.fetch(`/bench-batch/${i}`)).arrayBuffer());
      const started = performance.now();
      // All at once: the worst case for the UI (a reopened tab replaying a full capture).
      for (const b of buffers) g.postMessage({ type: 'frames', batch: new Uint8Array(b) }, '*', [b]);
      let firstRowsMs = -1;
      for (;;) {
        await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
        if (firstRowsMs < 0 && g.document.querySelector('.list-row:not([hidden])')) firstRowsMs = performance.now() - started;
        if (g.document.querySelector('[data-counter="packets"]')?.textContent === expectedCounter) break;
        if (performance.now() - started > 180_000) break;
      }
      return { firstRowsMs, allListedMs: performance.now() - started };
    }, { count: batches.length, expectedCounter });

    const filterStarted = Date.now();
    await page.fill('#filter-input', FILTER);
    await page.press('#filter-input', 'Enter');
    await page.waitForSelector('[data-counter="shown"]:not([hidden])', { timeout: 60_000 });
    const filterShown = (await page.textContent('[data-counter="shown"]')) ?? '';
    const filterMs = Date.now() - filterStarted;
    await page.fill('#filter-input', '');
    await page.press('#filter-input', 'Enter');
    await page.waitForSelector('[data-counter="shown"]', { state: 'hidden' });

    const scroll = await measureScrollFrames(page);
    const heapMb = await heapAfterGcMb(page);
    return {
      packets,
      firstRowsMs: figures.firstRowsMs,
      allListedMs: figures.allListedMs,
      filterMs,
      filterShown,
      expectedShown: http,
      scrollMedianMs: scroll.median,
      scrollP95Ms: scroll.p95,
      heapMb,
      batchesMb: batches.reduce((n, b) => n + b.length, 0) / 1e6,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (require.main === module) runPart(main);
