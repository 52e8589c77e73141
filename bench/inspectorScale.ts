/**
 * Bench 3: the inspector at 1,000,000 packets in headless Chromium: the same
 * bundle VS Code loads (dist/webview.js) in test/webview's harness page, fed
 * the same `frames` messages the host posts, with the packets of the generated
 * pcap (bench 1's file) in 10,000-packet batches. The real decoder summarizes
 * every packet as it is listed.
 *
 * Two variants in one run, on the same packets: a one-container capture (rows
 * on `eth0`) and a 5-container capture merged and de-duplicated as a Compose
 * project capture makes it (bench/lib/mergedCapture.ts: rows named
 * `svc-1 -> svc-3/eth0`, the Container column shown).
 *
 * Scrolling is judged by dropped frames, counted by Chromium's compositor in
 * a trace (test/webview/frameTrace.ts), over three ways of scrolling: the
 * mouse wheel, PageDown bursts, and the scrollbar dragged across all rows.
 *
 *   node --import tsx bench/inspectorScale.ts FILE.pcap [single,merged]   ('' for Follow Stream alone)
 *   DNC_BENCH_PROFILE=DIR also writes a CPU profile and a trace of each scroll.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FrameBatchWriter } from '../src/core/frameBatch';
import type { CapturedFrame } from '../src/core/packet';
import { readPcapFile, type PcapRecord } from '../src/core/pcap/pcapReader';
import { buildWebview } from '../test/webview/buildBundle';
import { startHarnessServer } from '../test/webview/harnessServer';
import { runPart } from './lib/childResult';
import { launchChromium } from '../test/support/chromium';
import { heapAfterGcMb, measureScrollFrames, pageDownBursts, scrollListTo, wheelScroll } from '../test/webview/pageMeasurements';
import { traceFrames } from '../test/webview/frameTrace';
import type { FrameCounts } from '../test/webview/frameCounts';
import { mergedCaptureRows, MERGED_CONTAINERS, type MergedFigures } from './lib/mergedCapture';
import { withCpuProfile } from './lib/cpuProfile';
import { menuMessage, send } from '../test/webview/inspectorPage';
import { tcpTransferPcap } from './lib/tcpTransferPcap';

const root = resolve(__dirname, '..');
const PER_BATCH = 10_000;
const FILTER = 'tcp.port == 80';
const PROFILE_DIR = process.env.DNC_BENCH_PROFILE;

export type InspectorVariant = 'single' | 'merged';

export interface ScrollScenario {
  name: string;
  /** Wheel notches, key presses or scrollbar positions sent. */
  inputs: number;
  frames: FrameCounts;
}

export interface InspectorFigures {
  variant: InspectorVariant;
  packets: number;
  firstRowsMs: number;
  allListedMs: number;
  filterMs: number;
  filterShown: string;
  expectedShown: number;
  /** rAF intervals while the scrollbar is dragged (main-thread pace; cannot see dropped frames). */
  scrollMedianMs: number;
  scrollP95Ms: number;
  scroll: ScrollScenario[];
  heapMb: number;
  /** From the Conversations menu entry to its table drawn, first opened after the scrolls (the stream table followed the load in idle time). */
  conversationsMs: number;
  conversationsTitle: string;
  batchesMb: number;
  /** What the Container column of a visible row shows ('' when the column is not shown). */
  containerCell: string;
  /** The merged variant: sightings of the five captures and what de-duplication made of them. */
  merge?: MergedFigures & { containers: number };
}

interface Batches {
  batches: Buffer[];
  http: number;
}

/** IPv4/TCP with port 80 either side: the filter's expected result, computed apart from the filter engine. */
function isHttpPort(d: Uint8Array): boolean {
  if (d[23] !== 6) return false;
  const t = 14 + ((d[14] ?? 0) & 15) * 4;
  return (((d[t] ?? 0) << 8) | (d[t + 1] ?? 0)) === 80 || (((d[t + 2] ?? 0) << 8) | (d[t + 3] ?? 0)) === 80;
}

class BatchCollector {
  readonly batches: Buffer[] = [];
  http = 0;
  private writer = new FrameBatchWriter(PER_BATCH * 400);

  add(frame: CapturedFrame): void {
    if (isHttpPort(frame.data)) this.http++;
    this.writer.add(frame);
    if (this.writer.frameCount === PER_BATCH) this.flush();
  }

  flush(): Batches {
    if (this.writer.frameCount > 0) this.batches.push(Buffer.from(this.writer.take()));
    this.writer = new FrameBatchWriter(PER_BATCH * 400);
    return this;
  }
}

function singleBatches(records: PcapRecord[]): Batches {
  const out = new BatchCollector();
  for (const rec of records) out.add({ ...rec, interfaceName: 'eth0', direction: rec.data[11] === 0x02 ? 'out' : 'in' });
  return out.flush();
}

function mergedBatches(records: PcapRecord[]): Batches & { merge: MergedFigures } {
  const out = new BatchCollector();
  const merge = mergedCaptureRows(records, (frame) => out.add(frame));
  return { ...out.flush(), merge };
}

async function loadAll(page: Page, batches: Buffer[], packets: number): Promise<{ firstRowsMs: number; allListedMs: number }> {
  await page.route('**/bench-batch/*', (route) => {
    const i = Number(route.request().url().split('/').pop());
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body: batches[i] ?? Buffer.alloc(0) });
  });
  await page.evaluate((max) => {
    const w = globalThis as unknown as { postMessage(data: unknown, origin: string): void };
    w.postMessage({ type: 'init', title: 'bench', live: true, hostnames: {}, maxPackets: max, status: { state: 'capturing' } }, '*');
  }, packets);
  const expectedCounter = `${packets.toLocaleString('en-US')} packets`;
  return page.evaluate(async ({ count, expectedCounter }) => {
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
}

async function filterFigures(page: Page): Promise<{ filterMs: number; filterShown: string }> {
  const filterStarted = Date.now();
  await page.fill('#filter-input', FILTER);
  await page.press('#filter-input', 'Enter');
  await page.waitForSelector('[data-counter="shown"]:not([hidden])', { timeout: 60_000 });
  const filterShown = (await page.textContent('[data-counter="shown"]')) ?? '';
  const filterMs = Date.now() - filterStarted;
  await page.fill('#filter-input', '');
  await page.press('#filter-input', 'Enter');
  await page.waitForSelector('[data-counter="shown"]', { state: 'hidden' });
  return { filterMs, filterShown };
}

/**
 * Opens Conversations as the row's context menu does (the host relays the entry as a
 * `contextAction`) and times it until its table is on screen. The first opening, after
 * the scrolls: the stream table has followed the load in idle time (streamTableFollower.ts), so
 * this is what a user who opens it a few seconds after the file gets waits for; the
 * table's own build, when asked for before it is ready, is bench 8's Conversations line.
 */
async function conversationsOpened(page: Page): Promise<{ ms: number; title: string }> {
  const message = await menuMessage(page, '.list-row:not([hidden]) .col-info', 'showConversations');
  const ms = await menuToPainted(page, message, '#conversations-table tr.conversation-row');
  const title = (await page.textContent('#conversations-view .overlay-title')) ?? '';
  return { ms, title };
}

/** Sends a menu entry's message and times it until `selector` is on screen and its frame painted, ms. */
async function menuToPainted(page: Page, message: Parameters<typeof send>[1], selector: string): Promise<number> {
  const started = Date.now();
  await send(page, message);
  await page.waitForSelector(selector, { timeout: 120_000 });
  await page.evaluate(() => {
    const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): void };
    return new Promise<void>((resolve) => g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve())));
  });
  return Date.now() - started;
}

/** Follow TCP Stream of one large transfer, first opened in the page right after its packets are listed. */
export interface FollowInPage {
  packets: number;
  payloadBytes: number;
  allListedMs: number;
  /** From the menu entry to the view painted. */
  followMs: number;
  /** The view's summary line (the bytes each side sent). */
  summary: string;
}

/** Conversations opened at once after the listing, in a fresh page: what is left of the table's build is waited for. */
export interface ConversationsAtOnce {
  allListedMs: number;
  ms: number;
  title: string;
}

/** The inspector at 1 M packets (two variants), Conversations right after a listing, and Follow Stream of a 100 MB transfer. */
export interface InspectorPart {
  variants: InspectorFigures[];
  atOnce: ConversationsAtOnce;
  follow: FollowInPage;
}

/**
 * A fresh page of the inspector with `batches` listed, handed to `body`, closed after it.
 * CSP bypass only so the page can fetch the batches from this process (the harness CSP, like
 * VS Code's, has no connect-src); the app itself runs the same either way.
 */
async function withListedPage<T>(browser: Browser, url: string, batches: Buffer[], packets: number, body: (page: Page, listed: { firstRowsMs: number; allListedMs: number }) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(url);
    return await body(page, await loadAll(page, batches, packets));
  } finally {
    await context.close();
  }
}

/**
 * The user who opens Conversations the moment the 1 M packets are listed: the stream table
 * has followed the load only in the idle moments there were, and the rest is built now.
 */
function conversationsAtOnce(browser: Browser, url: string, data: Batches, packets: number): Promise<ConversationsAtOnce> {
  return withListedPage(browser, url, data.batches, packets, async (page, listed) => ({ allListedMs: listed.allListedMs, ...(await conversationsOpened(page)) }));
}

/**
 * Follow TCP Stream as a user meets it: the 100 MB transfer of bench 8 listed in the page, then
 * right away a row's context menu. The stream table may still be following the load; the
 * reassembly of both directions and the first 1 MB drawn are timed as well.
 */
async function followOpened(browser: Browser, url: string): Promise<FollowInPage> {
  const transfer = tcpTransferPcap(join(root, 'bench', 'out', 'tcp-transfer.pcap'), 100);
  const records = readPcapFile(readFileSync(transfer.path)).records;
  return withListedPage(browser, url, singleBatches(records).batches, records.length, async (page, listed) => {
    const message = await menuMessage(page, '.list-row:not([hidden]) .col-info', 'followTcpStream');
    const open = (): Promise<number> => menuToPainted(page, message, '#follow-content pre');
    const followMs = PROFILE_DIR ? await withCpuProfile(page, join(PROFILE_DIR, 'follow.cpuprofile'), open) : await open();
    const summary = (await page.textContent('#follow-summary')) ?? '';
    return { packets: records.length, payloadBytes: transfer.payloadBytes, allListedMs: listed.allListedMs, followMs, summary };
  });
}

/** Runs one scroll scenario traced (and, with DNC_BENCH_PROFILE, profiled). */
async function scenario(page: Page, variant: InspectorVariant, name: string, run: () => Promise<number>): Promise<ScrollScenario> {
  const file = PROFILE_DIR ? join(PROFILE_DIR, `${variant}-${name.replace(/\W+/g, '-')}`) : undefined;
  const traced = await traceFrames(page, () => (file ? withCpuProfile(page, `${file}.cpuprofile`, run) : run()), file ? `${file}.trace.json` : undefined);
  return { name, inputs: traced.result, frames: traced.frames };
}

function measureVariant(browser: Browser, url: string, variant: InspectorVariant, data: Batches, packets: number): Promise<Omit<InspectorFigures, 'merge'>> {
  return withListedPage(browser, url, data.batches, packets, async (page, listed) => {
    const filter = await filterFigures(page);
    const containerCell = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
      return d.querySelector('.packet-list:not(.hide-container) .list-row:not([hidden]) .col-container')?.textContent ?? '';
    });
    const scroll: ScrollScenario[] = [];
    await scrollListTo(page, 0.5);
    scroll.push(await scenario(page, variant, 'wheel, 3 s of 20 notches/s', () => wheelScroll(page, { seconds: 3, perSecond: 20, notchPx: 120 })));
    scroll.push(await scenario(page, variant, 'PageDown, 4 bursts of 15 at 30/s', () => pageDownBursts(page, { bursts: 4, presses: 15, perSecond: 30, pauseMs: 300 })));
    let raf = { median: 0, p95: 0 };
    scroll.push(await scenario(page, variant, 'scrollbar dragged top to bottom (121 positions)', async () => {
      raf = await measureScrollFrames(page);
      return 121;
    }));
    const heapMb = await heapAfterGcMb(page);
    const conversationsProfile = PROFILE_DIR ? join(PROFILE_DIR, `${variant}-conversations.cpuprofile`) : undefined;
    const conversations = conversationsProfile ? await withCpuProfile(page, conversationsProfile, () => conversationsOpened(page)) : await conversationsOpened(page);
    return {
      variant,
      packets,
      ...listed,
      ...filter,
      expectedShown: data.http,
      scrollMedianMs: raf.median,
      scrollP95Ms: raf.p95,
      scroll,
      heapMb,
      conversationsMs: conversations.ms,
      conversationsTitle: conversations.title,
      batchesMb: data.batches.reduce((n, b) => n + b.length, 0) / 1e6,
      containerCell,
    };
  });
}

async function main(): Promise<InspectorPart> {
  const pcap = process.argv[2];
  if (!pcap) throw new Error('usage: inspectorScale.ts FILE.pcap [single,merged]');
  const variants = (process.argv[3] ?? 'single,merged').split(',').filter(Boolean) as InspectorVariant[];
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  buildWebview(root);
  const records = readPcapFile(readFileSync(pcap)).records;
  const server = await startHarnessServer(root);
  const browser = await launchChromium();
  const figures: InspectorFigures[] = [];
  try {
    for (const variant of variants) {
      // One variant's batches at a time: together they would double the bench's memory.
      if (variant === 'merged') {
        const data = mergedBatches(records);
        figures.push({ ...(await measureVariant(browser, server.url, variant, data, data.merge.rows)), merge: { ...data.merge, containers: MERGED_CONTAINERS } });
      } else {
        figures.push(await measureVariant(browser, server.url, variant, singleBatches(records), records.length));
      }
    }
    const atOnce = await conversationsAtOnce(browser, server.url, singleBatches(records), records.length);
    return { variants: figures, atOnce, follow: await followOpened(browser, server.url) };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (require.main === module) runPart(main);
