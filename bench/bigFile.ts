/**
 * Bench 11 (issue 12 goal 9): a very large pcap opened in the inspector. The
 * file is generated (bench 1's many-flows traffic), the extension host's
 * streaming indexer runs alone in a child (bigFileHost.ts: its peak RSS), then
 * the same host code streams the file through the real InspectorConnection to
 * the real inspector bundle in headless Chromium (test/webview/hostBridge.ts),
 * whose store keeps every row's columns and a 64 MB byte cache. The inspector
 * runs in a cross-origin frame of a workbench stand-in (workbench.html), which
 * fetches the host's messages and posts them in, as VS Code's workbench does:
 * the webview's process is measured, with only what a webview receives.
 * (DNC_BIGFILE_RELAY=page: the inspector's page fetches them itself, as before;
 * that page kept ~190 MB more mapped, which no webview in VS Code does.) Peers on the
 * same file in the same run: capinfos (reads the whole file) and tshark (the
 * first packets; all of them with DNC_BIGFILE_TSHARK_ALL=1). The file is
 * deleted afterwards.
 *
 *   node --import tsx bench/bigFile.ts [PACKETS]        (default 10,000,000)
 *   DNC_BENCH_ONLY=bigfile npm run bench
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { IndexedFileReader } from '../src/extension/file/indexedFileReader';
import { StreamedFileCapture } from '../src/extension/file/streamedFileCapture';
import { launchChromium } from '../test/support/chromium';
import { buildWebview } from '../test/webview/buildBundle';
import { startHarnessServer } from '../test/webview/harnessServer';
import { bridgeHost, type BridgeRelay } from '../test/webview/hostBridge';
import { cdpSession, heapAfterGcMb, measureScrollFrames } from '../test/webview/pageMeasurements';
import type { BigFileHostFigures } from './bigFileHost';
import { parseResult, runPart } from './lib/childResult';
import { generatePcap, removeGenerated } from './lib/generatePcap';

const root = resolve(__dirname, '..');
/** Bench 1's generated traffic is ~322 bytes a packet on disk; room is checked with a margin. */
const BYTES_PER_PACKET = 340;
const TSHARK_FIRST = 1_000_000;

export interface BigFileFigures {
  packets: number;
  fileBytes: number;
  generateMs: number;
  host: BigFileHostFigures | undefined;
  firstRowsMs: number;
  allListedMs: number;
  /** Page JS heap after GC and the ArrayBuffers outside it (V8's backing stores), MB. */
  heapMb: number;
  arrayBuffersMb: number;
  /** The JS heap V8 holds (used or not) after that GC, MB. */
  heapTotalMb: number;
  /** The webview's renderer process (the inspector's frame): RSS now and its peak, MB. */
  /** The webview's renderer before the file was opened (the inspector with no packets), MB. */
  rendererBeforeMb: number;
  rendererRssMb: number;
  /** That RSS by kind (/proc status RssAnon, RssFile, RssShmem). */
  rendererRssParts: string;
  rendererPeakMb: number;
  /** The other renderers (the workbench stand-in, which fetches the messages), RSS MB each. */
  otherRenderersMb: number[];
  /** RSS once the renderer was told memory is critically short (it purges its allocators' free memory), MB. */
  rendererRssAfterPressureMb: number;
  scrollMedianMs: number;
  scrollP95Ms: number;
  scrollReachedLast: boolean;
  farPacketBytesMatch: boolean;
  capinfos: { ms: number; peakMb: number; packets: number };
  tshark: { packets: number; ms: number; peakMb: number; all: boolean };
}

/** Runs a command under /usr/bin/time: wall time and peak RSS. */
function timed(command: string, args: string[]): { ms: number; peakMb: number; stdout: string } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', 'PEAK_KB %M', command, ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const ms = performance.now() - started;
  const peak = /PEAK_KB (\d+)/.exec(run.stderr ?? '');
  if (run.status !== 0) throw new Error(`${command} failed: ${(run.stderr ?? '').trim().split('\n').at(-1) ?? ''}`);
  return { ms, peakMb: peak ? Number(peak[1]) / 1024 : Number.NaN, stdout: run.stdout ?? '' };
}

function checkRoom(dir: string, bytes: number): void {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  process.stderr.write(`bench 11: ${dir} has ${(free / 1e9).toFixed(1)} GB free, the file needs ~${(bytes / 1e9).toFixed(1)} GB\n`);
  if (free < bytes * 1.2 + 2e9) throw new Error(`not enough disk space in ${dir}: ${(free / 1e9).toFixed(1)} GB free, ~${(bytes / 1e9).toFixed(1)} GB needed`);
}

/**
 * Memory of the webview's renderer: RSS, its own peak (VmHWM) and its parts, MB; and the
 * other renderers' RSS (the workbench stand-in). The webview's is the one that has used
 * the most CPU: it loads the inspector's bundle and then decodes and draws every packet,
 * while the workbench stand-in only relays (by RSS the two are close below ~3 M packets:
 * the stand-in keeps what its fetches leave mapped). The process ids come from the
 * browser itself (SystemInfo.getProcessInfo): playwright's launched Browser does not
 * expose its process, and renderers are not children of the first process anyway.
 */
async function rendererMemory(browser: Browser): Promise<{ rssMb: number; peakMb: number; parts: string; othersMb: number[] }> {
  const renderers: { id: number; cpuTime: number; rssMb: number; peakMb: number; parts: string }[] = [];
  const cdp = await browser.newBrowserCDPSession();
  try {
    const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
    for (const { type, id, cpuTime } of info.processInfo) {
      if (type !== 'renderer') continue;
      try {
        const status = readFileSync(`/proc/${id}/status`, 'utf8');
        const kb = (f: string): number => Number((status.split('\n').find((l) => l.startsWith(`${f}:`)) ?? '').replace(/\D+/g, '')) / 1024;
        const parts = `anon ${kb('RssAnon').toFixed(0)}, file ${kb('RssFile').toFixed(0)}, shmem ${kb('RssShmem').toFixed(0)} MB${process.env.DNC_BIGFILE_SMAPS === '1' ? `; ${largestMappings(id)}` : ''}`;
        renderers.push({ id, cpuTime, rssMb: kb('VmRSS'), peakMb: kb('VmHWM'), parts });
      } catch {
        // A renderer that went away meanwhile.
      }
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  renderers.sort((a, b) => b.cpuTime - a.cpuTime);
  const [webview, ...others] = renderers;
  return { rssMb: webview?.rssMb ?? 0, peakMb: webview?.peakMb ?? 0, parts: webview?.parts ?? '', othersMb: others.map((r) => r.rssMb) };
}

/**
 * With DNC_BIGFILE_PROFILE=1, a CPU profile of the page while it lists the file: the
 * functions with the most self time, and the idle share (the page waiting for messages),
 * go to stderr. It shows whether listing is bound by the page's work or by the relay.
 */
async function startProfile(webview: Frame): Promise<{ stop(): Promise<void> } | undefined> {
  if (process.env.DNC_BIGFILE_PROFILE !== '1') return undefined;
  const cdp = await cdpSession(webview);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  return {
    async stop() {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[] } };
      const byNode = new Map<number, number>();
      for (const id of profile.samples) byNode.set(id, (byNode.get(id) ?? 0) + 1);
      const byName = new Map<string, number>();
      for (const node of profile.nodes) {
        const hits = byNode.get(node.id) ?? 0;
        if (hits === 0) continue;
        const f = node.callFrame;
        const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').at(-1) ?? ''}:${f.lineNumber + 1}`;
        byName.set(name, (byName.get(name) ?? 0) + hits);
      }
      const total = profile.samples.length;
      const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25);
      process.stderr.write(`bench 11: page profile, ${total} samples:\n${top.map(([n, h]) => `  ${((h / total) * 100).toFixed(1)}% ${n}`).join('\n')}\n`);
    },
  };
}

/**
 * With DNC_BIGFILE_PROFILE=trace, a Chromium trace of `ms` while the file lists: the
 * page main thread's busy time by trace event (tasks, script, style, layout, paint,
 * GC; nested events counted in their parents too), to stderr.
 */
async function traceMainThread(browser: Browser, page: Page, ms: number): Promise<void> {
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing', 'toplevel'] });
  await new Promise((r) => setTimeout(r, ms));
  const buffer = await browser.stopTracing();
  type Event = { name: string; ph: string; pid: number; tid: number; dur?: number; args?: { name?: string } };
  const events = (JSON.parse(buffer.toString('utf8')) as { traceEvents: Event[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byName = new Map<string, number>();
  for (const e of events) if (e.ph === 'X' && e.dur && mains.has(`${e.pid}:${e.tid}`)) byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25);
  process.stderr.write(`bench 11: renderer main threads over ${ms} ms of listing (ms, nested counted twice):\n${top.map(([n, t]) => `  ${t.toFixed(0)} ${n}`).join('\n')}\n`);
}

/** The largest resident mappings of a process by size class (DNC_BIGFILE_SMAPS=1): where anonymous memory sits. */
function largestMappings(pid: number): string {
  const sizes = new Map<string, number>();
  let current = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const mb = (parseInt(head[2] ?? '0', 16) - parseInt(head[1] ?? '0', 16)) / 1048576;
      // Mappings grouped by name, or by their reserved size when anonymous (allocator pools, heaps).
      current = head[3] ? head[3].split('/').at(-1) ?? '' : `anon ${mb >= 1024 ? `${Math.round(mb / 1024)}G` : `${Math.round(mb)}M`} region`;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sizes.set(current, (sizes.get(current) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, mb]) => `${n} ${mb.toFixed(0)}`).join(', ');
}

async function hexOfSelected(page: Frame): Promise<string> {
  const lines = await page.$$eval('.hex-line', (ls) => ls.map((l) => l.textContent ?? ''));
  return lines.map((l) => l.slice(6, 6 + 48).replace(/\s+/g, '')).join('').toLowerCase();
}

/** Focuses the list, goes to its top, selects packet 2 and gives its hexdump. */
async function selectPacket2(page: Frame): Promise<string> {
  // The list takes keys once focused (a click on a row in view).
  await page.click('.list-scroller', { position: { x: 300, y: 60 } });
  await page.page().keyboard.press('Home');
  await waitFor('the first row', async () => (await page.$('.list-row[data-number="2"]')) !== null, 10_000);
  await page.click('.list-row[data-number="2"]');
  // The detail pane follows the selection at the next frame: until then it shows the packet Home selected.
  await waitFor('packet 2\'s detail', async () => ((await page.textContent('.layer > summary')) ?? '').startsWith('Frame 2:'), 10_000);
  await waitFor('packet 2\'s bytes', async () => (await hexOfSelected(page)) !== '', 10_000);
  return hexOfSelected(page);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Opens workbench.html (on localhost) with the harness page (on 127.0.0.1) in its frame: two
 * sites, so the webview gets a renderer of its own, as a VS Code webview does. The frame.
 */
async function webviewIn(workbench: Page, harnessUrl: string): Promise<Frame> {
  const url = new URL(harnessUrl);
  const outer = new URL('/test/webview/workbench.html', `http://localhost:${url.port}`);
  outer.searchParams.set('webview', harnessUrl);
  await workbench.goto(outer.toString());
  const deadline = Date.now() + 30_000;
  for (;;) {
    const frame = workbench.frames().find((f) => f.url() === harnessUrl);
    if (frame && (await frame.$('.packet-list').catch(() => null))) return frame;
    if (Date.now() > deadline) throw new Error(`the webview frame (${harnessUrl}) did not load in the workbench stand-in`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function inChromium(path: string, packets: number): Promise<Omit<BigFileFigures, 'packets' | 'fileBytes' | 'generateMs' | 'host' | 'capinfos' | 'tshark'>> {
  buildWebview(root);
  const server = await startHarnessServer(root);
  const browser = await launchChromium();
  const model = new StreamedFileCapture('big.pcap', await IndexedFileReader.open(path));
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const workbench = await context.newPage();
    workbench.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
    // DNC_BIGFILE_RELAY=page: the harness page fetches its own messages, as this bench did before (for comparison).
    const relay: BridgeRelay = process.env.DNC_BIGFILE_RELAY === 'page' ? 'page' : 'workbench';
    const page = relay === 'workbench' ? await webviewIn(workbench, server.url) : await workbench.goto(server.url).then(() => workbench.mainFrame());
    const rendererBeforeMb = (await rendererMemory(browser)).rssMb;
    const profiling = await startProfile(page);
    const started = performance.now();
    const bridge = await bridgeHost(workbench, model, {}, relay);
    await page.waitForSelector('.list-row:not([hidden])', { timeout: 120_000 });
    const firstRowsMs = performance.now() - started;
    if (process.env.DNC_BIGFILE_PROFILE === 'trace') await traceMainThread(browser, workbench, 6000);
    const expected = `${packets.toLocaleString('en-US')} packets`;
    let lastProgress = performance.now();
    // DNC_BIGFILE_PROGRESS_MS: a shorter interval to see when the renderer's peak is reached.
    const progressMs = Number(process.env.DNC_BIGFILE_PROGRESS_MS) > 0 ? Number(process.env.DNC_BIGFILE_PROGRESS_MS) : 15_000;
    await waitFor('every packet listed', async () => {
      const counter = await page.textContent('[data-counter="packets"]');
      // A long load says how far it is (the pace shows whether listing slows down as the store grows).
      if (performance.now() - lastProgress > progressMs) {
        lastProgress = performance.now();
        // And the renderer's RSS / peak so far: where in the load the peak is reached.
        const memory = await rendererMemory(browser);
        process.stderr.write(`bench 11: ${((lastProgress - started) / 1000).toFixed(0)} s: ${counter ?? '?'}; renderer ${memory.rssMb.toFixed(0)} / peak ${memory.peakMb.toFixed(0)} MB\n`);
      }
      return counter === expected;
    }, 40 * 60_000);
    const allListedMs = performance.now() - started;
    await profiling?.stop();
    const progress = async (when: string): Promise<void> => {
      const memory = await rendererMemory(browser);
      process.stderr.write(`bench 11: ${when}: renderer ${memory.rssMb.toFixed(0)} / peak ${memory.peakMb.toFixed(0)} MB\n`);
    };
    await progress('all listed');
    const scroll = await measureScrollFrames(page);
    await progress('scrolled');
    const lastShown = await page.$$eval('.list-row:not([hidden]) .col-number', (cells) => Math.max(...cells.map((c) => Number(c.textContent))));
    // A failed check is a figure too: the memory and times above are not lost with it.
    const shown = await selectPacket2(page).catch((e: unknown) => {
      process.stderr.write(`bench 11: selecting packet 2 failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
      return '';
    });
    await progress('packet 2 selected');
    const tsharkHex = execFileSync('tshark', ['-r', path, '-c', '2', '-x', '-Y', 'frame.number == 2'], { encoding: 'utf8' })
      .split('\n').filter((l) => /^[0-9a-f]{4}  /.test(l)).map((l) => l.slice(6, 6 + 48).replace(/\s+/g, '')).join('');
    const heapMb = await heapAfterGcMb(page);
    const cdp = await cdpSession(page);
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number; backingStorageSize?: number };
    const renderer = await rendererMemory(browser);
    // What of that RSS is the allocators' free lists rather than live data: the renderer is told
    // memory is critically short (as the OS would), purges, and is read again.
    await cdp.send('Memory.simulatePressureNotification', { level: 'critical' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2000));
    const afterPressure = await rendererMemory(browser);
    await bridge.close();
    return {
      firstRowsMs,
      allListedMs,
      heapMb,
      arrayBuffersMb: (usage.backingStorageSize ?? Number.NaN) / 1e6,
      heapTotalMb: usage.totalSize / 1e6,
      rendererBeforeMb,
      rendererRssMb: renderer.rssMb,
      rendererRssParts: renderer.parts,
      rendererRssAfterPressureMb: afterPressure.rssMb,
      // VmHWM: the process's peak over the whole load, read once at the end.
      rendererPeakMb: renderer.peakMb,
      otherRenderersMb: renderer.othersMb,
      scrollMedianMs: scroll.median,
      scrollP95Ms: scroll.p95,
      scrollReachedLast: lastShown === packets,
      farPacketBytesMatch: shown !== '' && shown === tsharkHex,
    };
  } finally {
    model.dispose();
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<BigFileFigures> {
  const packets = Number(process.argv[2] ?? process.env.DNC_BIGFILE_PACKETS ?? 10_000_000);
  if (!Number.isInteger(packets) || packets < 1000) throw new Error(`packets must be an integer >= 1000, got ${process.argv[2]}`);
  const dir = join(root, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  checkRoom(dir, packets * BYTES_PER_PACKET);
  const generateStarted = performance.now();
  const file = generatePcap(join(dir, `bigfile-${packets}.pcap`), packets);
  const generateMs = performance.now() - generateStarted;
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'bigFileHost.ts'), file.path], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
    const host = parseResult<BigFileHostFigures>(child.stdout ?? '');
    const page = await inChromium(file.path, packets);
    const capinfos = timed('capinfos', ['-c', '-M', file.path]);
    const capinfosPackets = Number(/Number of packets:\s*(\d+)/.exec(capinfos.stdout)?.[1] ?? Number.NaN);
    const tsharkAll = process.env.DNC_BIGFILE_TSHARK_ALL === '1';
    const tsharkPackets = tsharkAll ? packets : Math.min(packets, TSHARK_FIRST);
    const tshark = timed('tshark', ['-r', file.path, '-c', String(tsharkPackets)]);
    return {
      packets,
      fileBytes: file.bytes,
      generateMs,
      host,
      ...page,
      capinfos: { ms: capinfos.ms, peakMb: capinfos.peakMb, packets: capinfosPackets },
      tshark: { packets: tsharkPackets, ms: tshark.ms, peakMb: tshark.peakMb, all: tsharkAll || tsharkPackets === packets },
    };
  } finally {
    removeGenerated(file);
  }
}

if (require.main === module) runPart(main);
