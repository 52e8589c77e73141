/**
 * `npm run bench`: every benchmark of issue 5 in one run, each part in its own
 * process, then one table of figures with ratios against the peers measured
 * in this same run. Needs root and the set-up of scripts/setup-machine.sh
 * (private Docker daemon, tcpdump, tshark, chromium). Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { InspectorPart } from './inspectorScale';
import type { LiveFigures } from './liveCapture';
import type { ThroughputFigures } from './decodeThroughput';
import type { TlsFigures } from './tlsDecrypt';
import type { TimelineFigures } from './timelineDedup';
import type { SweepFigures } from './liveVsTcpdump';
import type { RowFigures } from './wireToRow';
import { rowReport, sweepReport } from './lib/liveReports';
import type { CliFigures } from './cliMemory';
import { copyLines, type CopyFigures } from './copiesPerPacket';
import { cliFigureLines } from './lib/cliFigures';
import { parseResult } from './lib/childResult';
import { formatCount, formatMb, formatMs, table, verdict } from './lib/figures';
import { removeGenerated } from './lib/generatePcap';
import { throughputReport } from './lib/throughputReport';
import { generatePcap } from './lib/generatePcap';
import { streamLines } from './lib/streamFigures';
import { atOnceLines, followLines, inspectorLines } from './lib/inspectorReport';
import type { StreamFigures } from './streamViews';
import type { BigFileFigures } from './bigFile';
import { bigFileLines } from './lib/bigFileReport';

const root = join(__dirname, '..');
const PACKETS = 1_000_000;
/** Bench 7 reads 10 M packets in four modes: longer than the other parts. */
const CLI_BENCH_TIMEOUT_MS = 40 * 60_000;

function part<T>(name: string, script: string, args: string[] = [], timeoutMs = 10 * 60_000): T | undefined {
  const started = Date.now();
  process.stdout.write(`-- ${name} ...\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const value = parseResult<T>(result.stdout ?? '');
  process.stdout.write(`-- ${name}: ${value ? 'done' : `FAILED (exit ${String(result.status)})`} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return value;
}

/** Bench 9 alone or as part of the whole run: merge + de-duplication of a 5-container capture. */
function timelineSection(): { lines: string[]; ok: boolean } {
  const timeline = part<TimelineFigures>('9. merge + de-duplication of a 5-container capture', 'timelineDedup.ts', [process.env.DNC_BENCH_RUNS ?? '3']);
  if (!timeline) return { lines: [], ok: false };
  return {
    ok: true,
    lines: [
      '',
      `9. One timeline of ${timeline.containers} containers: ${formatCount(timeline.sightings)} sightings merged by time and de-duplicated (${formatCount(timeline.paired)} packets seen by both ends shown once, ${formatCount(timeline.notSeenArriving)} not seen arriving, ${formatCount(timeline.rows)} rows)`,
      table([
        ['stage', 'median', 'sightings/s', 'runs (s)'],
        ['merge (5 sorted streams)', formatMs(timeline.mergeMs), formatCount((timeline.sightings / timeline.mergeMs) * 1000), '-'],
        ['merge + de-duplication', formatMs(timeline.totalMs), formatCount(timeline.sightingsPerSecond), timeline.runs.map((r) => (r / 1000).toFixed(2)).join(' / ')],
      ]),
      `   of which garbage collection: ${formatMs(timeline.gcMs)} (median of the runs); CPU time ${formatMs(timeline.cpuMs)} (median); the consumer counts rows`,
      `   one more run that also hashes every row (the checksum, timed as this bench did before): ${formatMs(timeline.withChecksumMs)}, ${formatCount((timeline.sightings / timeline.withChecksumMs) * 1000)} sightings/s`,
      `   target >= 1,000,000 packets/s: ${verdict(timeline.sightingsPerSecond >= 1e6)} (${formatCount(timeline.sightingsPerSecond)}); rows checksum ${timeline.checksum}`,
    ],
  };
}

const STAGES = ['1', '2', '2c', '3', '6', '7', '8', '10', '11', '9'];
/** DNC_BENCH_ONLY=2c,7 runs those parts alone (`streams` = 8, `timeline` = 9, `cli` = 10, `copies` = 11); unset, all of them. */
function wanted(stage: string): boolean {
  const only = process.env.DNC_BENCH_ONLY;
  const aliases: Record<string, string> = { streams: '8', timeline: '9', cli: '10', copies: '11' };
  return !only || only.split(',').map((s) => aliases[s.trim()] ?? s.trim()).includes(stage);
}

/** Bench 12 (a 10 M-packet file, ~3 GB, tens of minutes) runs only when asked: DNC_BENCH_ONLY=bigfile (or 12). */
function bigFileWanted(): boolean {
  return (process.env.DNC_BENCH_ONLY ?? '').split(',').some((s) => s.trim() === 'bigfile' || s.trim() === '12');
}

function main(): void {
  if (process.env.DNC_BENCH_ONLY === 'timeline') {
    // `DNC_BENCH_ONLY=timeline npm run bench`: no build, no Docker, no root.
    const section = timelineSection();
    process.stdout.write(`\n${section.lines.join('\n')}\n`);
    if (!section.ok) process.exitCode = 1;
    return;
  }
  const t0 = Date.now();
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.stdout.write('warning: npm run build failed; using the existing dist/\n');
  // Parts 1, 3 and 8 read the generated files; the live parts do not need them.
  const needsFiles = wanted('1') || wanted('3') || wanted('8') || wanted('11');
  const none = { path: '', packets: 0, bytes: 0, fresh: false };
  const pcap = needsFiles ? generatePcap(join(root, 'bench', 'out', 'mixed-1m.pcap'), PACKETS) : none;
  const realistic = wanted('1') ? generatePcap(join(root, 'bench', 'out', 'realistic-1m.pcap'), PACKETS, 7, 'realistic') : none;
  for (const file of [pcap, realistic]) if (file.path) process.stdout.write(`-- input: ${file.path} (${formatCount(file.packets)} packets, ${formatMb(file.bytes)}, ${file.fresh ? 'generated' : 'reused'})\n`);

  const throughput = wanted('1') ? part<ThroughputFigures>('1. decode throughput', 'decodeThroughput.ts', [process.env.DNC_BENCH_RUNS ?? '3', `many flows=${pcap.path}`, `realistic=${realistic.path}`]) : undefined;
  const live = wanted('2') ? part<LiveFigures>('2/4/5. live capture, latency, memory', 'liveCapture.ts') : undefined;
  const sweep = wanted('2c') ? part<SweepFigures>('2c. live capture against tcpdump alone', 'liveVsTcpdump.ts') : undefined;
  const inspector = wanted('3') ? part<InspectorPart>('3. inspector at 1M packets in Chromium', 'inspectorScale.ts', [pcap.path]) : undefined;
  const tls = wanted('6') ? part<TlsFigures>('6. TLS decryption of a large transfer', 'tlsDecrypt.ts', [process.env.DNC_BENCH_RUNS ?? '3']) : undefined;
  const rows = wanted('7') ? part<RowFigures>('7. wire to row drawn in the inspector', 'wireToRow.ts') : undefined;
  const streams = wanted('8') ? part<StreamFigures>('8. Follow Stream and Conversations', 'streamViews.ts', [pcap.path, process.env.DNC_BENCH_RUNS ?? '3']) : undefined;
  const bigFile = bigFileWanted() ? part<BigFileFigures>('12. a big file in the inspector', 'bigFile.ts', [process.env.DNC_BIGFILE_PACKETS ?? '10000000'], CLI_BENCH_TIMEOUT_MS) : undefined;
  const cli = wanted('10') ? part<CliFigures>('10. CLI -r: memory per mode, seed text vs tcpdump -X', 'cliMemory.ts', [], CLI_BENCH_TIMEOUT_MS) : undefined;
  const copies = wanted('11') ? part<CopyFigures>('11. bytes copied per packet, before and after', 'copiesPerPacket.ts', [pcap.path]) : undefined;

  const out: string[] = [];
  out.push(`Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  if (throughput) out.push(...throughputReport(throughput));
  if (live) {
    out.push('', '2. Live capture: UDP flood container -> target container, captured in the target\'s namespace (eth0 + lo) via the helper');
    out.push(table([
      ['flood rate asked', 'sent (s)', 'tcpdump captured', 'helper sent', 'at extension', 'lost tcpdump->ext', 'kernel drops', 'delivered pkt/s'],
      ...live.loss.map((l) => [formatCount(l.targetRate), `${formatCount(l.sent)} (${l.floodSeconds.toFixed(1)})`, formatCount(l.tcpdumpCaptured), formatCount(l.helperSent), formatCount(l.received), formatCount(l.lost), formatCount(l.kernelDrops), formatCount(l.deliveredPerSecond)]),
    ]));
    const best = live.loss.reduce((a, b) => (b.deliveredPerSecond > a.deliveredPerSecond ? b : a));
    out.push(`   target 0 lost at >= 50,000 pkt/s: lost ${live.loss.every((l) => l.lost === 0) ? 'none' : 'SOME'} in every run; delivered rate ${formatCount(best.deliveredPerSecond)} pkt/s -> ${verdict(live.loss.every((l) => l.lost === 0) && best.deliveredPerSecond >= 50_000)}`);
    const lat = live.latency;
    out.push('', `4. Latency, container send -> frame at the extension-side callback (${lat.samples} datagrams at ${lat.rate}/s)`);
    out.push(table([['median', 'p99', 'max', 'send -> kernel capture (median)', 'target median < 100 ms'], [formatMs(lat.medianMs, 1), formatMs(lat.p99Ms, 1), formatMs(lat.maxMs, 1), formatMs(lat.kernelMedianMs, 2), verdict(lat.medianMs < 100)]]));
    out.push('', '2b/4b. Host path and helper-container path side by side (same scene, same floods, same run)');
    const zeroLoss = (runs: typeof live.loss): string => {
      const clean = runs.filter((l) => l.lost === 0 && l.kernelDrops === 0);
      return clean.length ? formatCount(Math.max(...clean.map((l) => l.deliveredPerSecond))) : 'none at these rates';
    };
    out.push(table([
      ['backend', 'latency median', 'p99', 'highest rate delivered with 0 loss (pkt/s)', 'runs: asked -> delivered pkt/s, lost'],
      ...([['host (root helper)', live.latency, live.loss], ['helper container (engine API)', live.containerLatency, live.containerLoss]] as const).map(([name, lat, runs]) => [
        name, formatMs(lat.medianMs, 1), formatMs(lat.p99Ms, 1), zeroLoss(runs),
        runs.map((l) => `${formatCount(l.targetRate)} -> ${formatCount(l.deliveredPerSecond)}, ${formatCount(l.lost + l.kernelDrops)}`).join('; '),
      ]),
    ]));
    const mem = live.memory;
    out.push('', `5. Memory over a long live capture: ${formatCount(mem.packets)} packets (goal ${formatCount(mem.target)}) in ${mem.seconds.toFixed(0)} s, in-memory limit ${formatCount(mem.limit)}, kernel drops ${formatCount(mem.kernelDrops)}`);
    out.push(table([
      ['packets', 't (s)', 'host RSS', 'host JS heap', 'host ArrayBuffers', 'store frames', 'store bytes', 'helper RSS'],
      ...mem.samples.map((s) => [formatCount(s.packets), s.seconds.toFixed(0), `${s.hostRssMb.toFixed(0)} MB`, `${s.hostHeapMb.toFixed(0)} MB`, `${s.hostArrayBuffersMb.toFixed(0)} MB`, formatCount(s.storeFrames), `${s.storeMb.toFixed(0)} MB`, `${s.helperRssMb.toFixed(0)} MB`]),
    ]));
  }
  if (inspector) out.push(...inspectorLines(inspector.variants), ...atOnceLines(inspector.atOnce), ...followLines(inspector.follow));
  if (tls) {
    const [engine, tshark, perRecord] = tls.lines;
    out.push('', `6. TLS 1.3 AES-128-GCM decryption with a key log: one HTTPS download captured on lo, ${formatMb(tls.file.bytes)} pcap, ${formatCount(tls.file.packets)} packets, ${formatMb(tls.file.plaintextBytes)} of plaintext (kernel drops when captured: ${tls.file.kernelDrops})`);
    out.push(table([
      ['decryptor / limit', 'median', 'plaintext MB/s', 'vs tshark', 'runs (s)'],
      ...tls.lines.map((l) => [l.name, formatMs(l.ms), (l.bytesPerSecond / 1e6).toFixed(0), tshark ? `${(tshark.ms / l.ms).toFixed(1)}x` : '-', l.runs.map((r) => (r / 1000).toFixed(2)).join(' / ')]),
    ]));
    if (engine && tshark && perRecord) {
      out.push(`   target >= 5x tshark: ${verdict(tshark.ms / engine.ms >= 5)} (${(tshark.ms / engine.ms).toFixed(1)}x); share of Node's per-record AES-GCM speed: ${((engine.bytesPerSecond / perRecord.bytesPerSecond) * 100).toFixed(0)}%`);
    }
  }
  if (sweep) out.push('', ...sweepReport(sweep));
  if (rows) out.push('', ...rowReport(rows));
  if (streams) out.push('', ...streamLines(streams));
  if (cli) out.push(...cliFigureLines(cli));
  if (copies) out.push(...copyLines(copies));
  if (bigFile) out.push(...bigFileLines(bigFile));
  const timeline = wanted('9') ? timelineSection() : { lines: [], ok: true };
  out.push(...timeline.lines);
  // The generated files are large (~1.3 GB together): they do not outlive the run.
  if (pcap.path) removeGenerated(pcap);
  if (realistic.path) removeGenerated(realistic);
  out.push('', `Total bench time: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.stdout.write(`\n${out.join('\n')}\n`);
  if ([throughput, live, sweep, inspector, tls, rows, streams, cli, copies].some((figures, i) => figures === undefined && wanted(STAGES[i] ?? '')) || !timeline.ok) process.exitCode = 1;
  if (bigFileWanted() && !bigFile) process.exitCode = 1;
}

main();
