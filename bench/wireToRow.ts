/**
 * Bench 7 (issue 12 goal 7): latency from the wire to the row drawn in the
 * inspector. A test container sends timestamped UDP datagrams (bench/lib/udpFlood.mjs)
 * to the target; the target is captured live (host helper or helper container),
 * the frames go through the extension host's own model and connection
 * (CaptureSession, InspectorConnection with its 50 ms coalescing, acks and
 * flow window) to the real inspector bundle in headless Chromium (the harness
 * of test/webview). The page notes when each packet's row is in the drawn
 * list: a MutationObserver on the list sees the render that shows row N (or a
 * later one, when a batch scrolls past faster than it is painted).
 *
 * The extension host's postMessage to the webview is played by Playwright's
 * page.evaluate here (a CDP round trip, a few ms), not by VS Code's IPC.
 *
 *   DNC_BENCH_ROW_RATES=200,2000 DNC_BENCH_ROW_SECONDS=6 DNC_BENCH_ROW_BACKENDS=host,container \
 *     node --import tsx bench/wireToRow.ts
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { forEachFrame } from '../src/core/frameBatch';
import type { CaptureEvents } from '../src/client/captureClient';
import { CaptureSession } from '../src/extension/capture/captureSession';
import { FORWARD_INTERVAL_MS, InspectorConnection } from '../src/extension/inspector/inspectorConnection';
import { frameBatchesOf, type ToWebviewMessage } from '../src/protocol/webviewMessages';
import { launchChromium } from '../test/support/chromium';
import { ensureHelperImages } from '../test/support/helperContainerFixture';
import { buildWebview } from '../test/webview/buildBundle';
import { startHarnessServer } from '../test/webview/harnessServer';
import { begin, createScene, flood, nowUs, NOT_SENT_BY_US, sendTimeUs, type Backend, type Scene } from './liveCapture';
import { runPart } from './lib/childResult';
import { median, percentile } from './lib/figures';
import { measureHelperHops, type HelperHops } from './lib/helperHops';

const root = resolve(__dirname, '..');
/** The panel's pace of frames messages, or another to compare (DNC_BENCH_ROW_FORWARD_MS). */
const FORWARD_MS = Number(process.env.DNC_BENCH_ROW_FORWARD_MS ?? FORWARD_INTERVAL_MS);

export interface RowLatency {
  backend: Backend;
  rate: number;
  sent: number;
  /** Datagrams whose row was seen drawn. */
  samples: number;
  callbackMedianMs: number;
  callbackP99Ms: number;
  /** Send -> the frames message handed to the page (the harness's stand-in for VS Code's postMessage). */
  inPageMedianMs: number;
  rowMedianMs: number;
  rowP99Ms: number;
  rowMaxMs: number;
  /** Where the time goes, hop by hop (medians and p99 over the rows seen). */
  hops: HopFigure[];
}

/** One hop of a datagram's way from the flooder's send to its row drawn in the page. */
export interface HopFigure {
  hop: string;
  medianMs: number;
  p99Ms: number;
}

/** The stamps each drawn row carries, in the order of its way (ms since the epoch). */
const STAMPS = ['sent', 'kernel', 'callback', 'posted', 'inPage', 'drawn'] as const;
const HOP_NAMES = [
  'send -> kernel capture (pcap timestamp)',
  'kernel -> extension callback (tcpdump, helper merge + batching, channel)',
  'callback -> posted to the webview (InspectorConnection coalescing)',
  'posted -> in page (harness stand-in for postMessage)',
  'in page -> row drawn (render on the next animation frame)',
];

interface PageWire {
  type: string;
  base64?: string;
  seq?: number;
  /** Send time (ms since the epoch) per frame of the batch; -1 for frames not sent by the flooder. */
  sentMs?: number[];
  /** Per frame: kernel capture time, extension callback time, time posted to the page (ms since the epoch; -1 when unknown). */
  kernelMs?: number[];
  callbackMs?: number[];
  postedMs?: number[];
  rest?: unknown;
}

/** Installs the observer that stamps each row number with the time it was first in the drawn list. */
async function watchRows(page: Page): Promise<void> {
  await page.evaluate(() => {
    interface El { textContent: string | null; querySelector(s: string): El | null }
    const g = globalThis as unknown as {
      document: { body: unknown; querySelectorAll(s: string): ArrayLike<El> };
      MutationObserver: new (cb: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
      __sent: number[];
      __arrivedAt: number[];
      __drawnAt: number[];
      __maxDrawn: number;
      __hostStamps: number[][];
    };
    g.__sent = [0];
    g.__hostStamps = [[0, 0, 0]];
    g.__arrivedAt = [0];
    g.__drawnAt = [0];
    g.__maxDrawn = 0;
    const observer = new g.MutationObserver(() => {
      const now = performance.timeOrigin + performance.now();
      let max = g.__maxDrawn;
      const rows = g.document.querySelectorAll('.list-row:not([hidden]) .cell:first-child');
      for (let i = 0; i < rows.length; i++) {
        const n = Number((rows[i]?.textContent ?? '').replace(/,/g, ''));
        if (Number.isFinite(n) && n > max) max = n;
      }
      for (let n = g.__maxDrawn + 1; n <= max; n++) g.__drawnAt[n] = now;
      g.__maxDrawn = max;
    });
    observer.observe(g.document.body, { childList: true, subtree: true, characterData: true });
  });
}

/** Posts one host message into the page (as the webview receives it) and returns the acks the page posted since. */
async function deliver(page: Page, wire: PageWire): Promise<number[]> {
  return page.evaluate((m) => {
    const g = globalThis as unknown as {
      postMessage(data: unknown, origin: string): void;
      atob(s: string): string;
      __posted: { type: string; seq?: number }[];
      __acksRead?: number;
      __sent: number[];
      __arrivedAt: number[];
      __hostStamps: number[][];
    };
    if (m.type === 'frames' && m.base64 !== undefined) {
      const text = g.atob(m.base64);
      const batch = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) batch[i] = text.charCodeAt(i);
      const arrived = performance.timeOrigin + performance.now();
      (m.sentMs ?? []).forEach((s, i) => {
        g.__sent.push(s);
        g.__hostStamps.push([m.kernelMs?.[i] ?? -1, m.callbackMs?.[i] ?? -1, m.postedMs?.[i] ?? -1]);
        g.__arrivedAt.push(arrived);
      });
      g.postMessage({ type: 'frames', batch, seq: m.seq }, '*');
    } else if (m.type !== 'poll') {
      g.postMessage(m.rest, '*');
    }
    const acks: number[] = [];
    const from = g.__acksRead ?? 0;
    for (let i = from; i < g.__posted.length; i++) {
      const p = g.__posted[i];
      if (p?.type === 'ack' && typeof p.seq === 'number') acks.push(p.seq);
    }
    g.__acksRead = g.__posted.length;
    return acks;
  }, wire);
}

/** `callbackAt`: when each datagram (by its send time in µs) reached the extension-side callback, in ms. */
function toWire(message: ToWebviewMessage, callbackAt: Map<number, number>): PageWire {
  if (message.type !== 'frames') return { type: message.type, rest: message };
  const postedAt = nowUs() / 1000;
  const sentMs: number[] = [];
  const kernelMs: number[] = [];
  const callbackMs: number[] = [];
  const postedMs: number[] = [];
  // The page gets the batches of one message as one batch (records concatenate cleanly).
  const batch = Buffer.concat(frameBatchesOf(message));
  forEachFrame(batch, (frame) => {
    const us = sendTimeUs(frame.data);
    const ours = us !== NOT_SENT_BY_US && frame.direction === 'in';
    sentMs.push(ours ? us / 1000 : -1);
    kernelMs.push(ours ? (frame.tsSec * 1e6 + frame.tsUsec) / 1000 : -1);
    callbackMs.push(ours ? (callbackAt.get(us) ?? -1) : -1);
    postedMs.push(ours ? postedAt : -1);
    if (ours) callbackAt.delete(us);
  });
  return { type: 'frames', base64: batch.toString('base64'), ...(message.seq !== undefined ? { seq: message.seq } : {}), sentMs, kernelMs, callbackMs, postedMs };
}

/** Median and p99 of each hop over the rows whose every stamp is known. */
function hopFigures(rows: number[][]): HopFigure[] {
  const complete = rows.filter((r) => r.length === STAMPS.length && r.every((t) => t > 0));
  return HOP_NAMES.map((hop, i) => {
    const spans = complete.map((r) => (r[i + 1] ?? 0) - (r[i] ?? 0));
    return { hop, medianMs: median(spans), p99Ms: percentile(spans, 99) };
  });
}

async function rowRun(page: Page, scene: Scene, backend: Backend, rate: number, seconds: number): Promise<RowLatency> {
  await watchRows(page);
  const session = new CaptureSession({ id: scene.target.id, name: scene.target.name }, 100_000, () => undefined);
  let chain = Promise.resolve();
  let queued = 0;
  const callbackAt = new Map<number, number>();
  const connection = new InspectorConnection(
    session,
    {
      post: (message) => {
        // Not awaited one by one: evaluations reach the page in the order they are sent
        // (one CDP connection, one page thread), so messages are pipelined as VS Code's are.
        queued++;
        const done = deliver(page, toWire(message, callbackAt)).then(async (acks) => {
          for (const seq of acks) await connection.handle({ type: 'ack', seq });
          queued--;
        });
        chain = chain.then(() => done);
      },
      hostnames: () => ({}),
      save: () => Promise.resolve(),
      log: () => undefined,
    },
    FORWARD_MS,
  );
  await connection.handle({ type: 'ready' });
  const callback: number[] = [];
  await session.start((events) =>
    begin(backend, scene, {
      ...events,
      frames: (batch, n) => {
        const arrived = nowUs();
        forEachFrame(batch, (frame) => {
          const sentAt = sendTimeUs(frame.data);
          if (sentAt === NOT_SENT_BY_US || frame.direction !== 'in') return;
          callback.push((arrived - sentAt) / 1000);
          callbackAt.set(sentAt, arrived / 1000);
        });
        events.frames(batch, n);
      },
    } satisfies CaptureEvents),
  );
  // Acks also come back while nothing new is posted.
  const poll = setInterval(() => {
    if (queued > 0) return;
    queued++;
    chain = chain.then(async () => {
      for (const seq of await deliver(page, { type: 'poll' })) await connection.handle({ type: 'ack', seq });
      queued--;
    });
  }, 100);
  const sent = await flood(scene, rate, seconds, 64);
  await new Promise((r) => setTimeout(r, 1500));
  clearInterval(poll);
  await session.stop();
  connection.dispose();
  session.dispose();
  await chain;
  const { row, inPage, stamps } = await page.evaluate(() => {
    const g = globalThis as unknown as { __sent: number[]; __arrivedAt: number[]; __drawnAt: number[]; __hostStamps: number[][] };
    const out = { row: [] as number[], inPage: [] as number[], stamps: [] as number[][] };
    for (let n = 1; n < g.__sent.length; n++) {
      const sentMs = g.__sent[n] ?? -1;
      const drawn = g.__drawnAt[n];
      if (sentMs > 0 && drawn !== undefined) {
        out.row.push(drawn - sentMs);
        out.inPage.push(g.__arrivedAt[n] !== undefined ? (g.__arrivedAt[n] ?? 0) - sentMs : Number.NaN);
        out.stamps.push([sentMs, ...(g.__hostStamps[n] ?? [-1, -1, -1]), g.__arrivedAt[n] ?? -1, drawn]);
      }
    }
    return out;
  });
  return {
    backend,
    rate,
    sent: sent.sent,
    samples: row.length,
    callbackMedianMs: median(callback),
    callbackP99Ms: percentile(callback, 99),
    inPageMedianMs: median(inPage),
    rowMedianMs: median(row),
    rowP99Ms: percentile(row, 99),
    rowMaxMs: Math.max(...row),
    hops: hopFigures(stamps),
  };
}

export interface RowFigures {
  lines: RowLatency[];
  /** Inside the helper (its own code in this process), per rate: read and merge delays. */
  helperHops?: HelperHops[];
}

async function main(): Promise<RowFigures> {
  const rates = (process.env.DNC_BENCH_ROW_RATES ?? '200,2000').split(',').map(Number);
  const seconds = Number(process.env.DNC_BENCH_ROW_SECONDS ?? 6);
  const backends = (process.env.DNC_BENCH_ROW_BACKENDS ?? 'host,container').split(',') as Backend[];
  buildWebview(root);
  const server = await startHarnessServer(root);
  const browser = await launchChromium();
  const scene = await createScene();
  ensureHelperImages();
  const lines: RowLatency[] = [];
  const helperHops: HelperHops[] = [];
  try {
    if (backends.includes('host')) {
      for (const rate of rates) {
        const hops = await measureHelperHops(scene, rate, seconds);
        process.stderr.write(`helper's own code @ ${rate}/s (${hops.pipelines} pipelines): kernel -> read median ${hops.readMedianMs.toFixed(1)} ms p99 ${hops.readP99Ms.toFixed(1)} max ${hops.readMaxMs.toFixed(1)}; read -> merged median ${hops.mergeMedianMs.toFixed(1)} ms p99 ${hops.mergeP99Ms.toFixed(1)}; ${hops.outOfOrder} of ${hops.handedOn} frames out of order\n`);
        helperHops.push(hops);
      }
    }
    for (const backend of backends) {
      for (const rate of rates) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
        await page.goto(server.url);
        await page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
        const line = await rowRun(page, scene, backend, rate, seconds);
        process.stderr.write(`${backend} @ ${rate}/s: ${line.samples} of ${line.sent} rows; callback median ${line.callbackMedianMs.toFixed(1)} ms p99 ${line.callbackP99Ms.toFixed(1)}; in page median ${line.inPageMedianMs.toFixed(1)}; row median ${line.rowMedianMs.toFixed(1)} ms p99 ${line.rowP99Ms.toFixed(1)} max ${line.rowMaxMs.toFixed(1)}\n`);
        for (const h of line.hops) process.stderr.write(`   ${h.hop}: median ${h.medianMs.toFixed(1)} ms, p99 ${h.p99Ms.toFixed(1)} ms\n`);
        lines.push(line);
        await page.close();
      }
    }
  } finally {
    scene.dispose();
    await browser.close();
    await server.close();
  }
  return { lines, helperHops };
}

if (require.main === module) runPart(main);
