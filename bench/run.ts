/**
 * `npm run bench`: every benchmark of issue 5 in one run, each part in its own
 * process, then one table of figures with ratios against the peers measured
 * in this same run. Needs root and the set-up of scripts/setup-machine.sh
 * (private Docker daemon, tcpdump, tshark, chromium). Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { InspectorFigures } from './inspectorScale';
import type { LiveFigures } from './liveCapture';
import type { ThroughputFigures } from './decodeThroughput';
import type { TlsFigures } from './tlsDecrypt';
import type { CliFigures } from './cliMemory';
import { cliFigureLines } from './lib/cliFigures';
import { parseResult } from './lib/childResult';
import { formatCount, formatMb, formatMs, table, verdict } from './lib/figures';
import { generatePcap } from './lib/generatePcap';

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

function main(): void {
  const t0 = Date.now();
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.stdout.write('warning: npm run build failed; using the existing dist/\n');
  if (process.env.DNC_BENCH_ONLY === 'cli') {
    // Bench 7 alone: DNC_BENCH_ONLY=cli npm run bench
    const cli = part<CliFigures>('7. CLI -r: memory per mode, seed text vs tcpdump -X', 'cliMemory.ts', [], CLI_BENCH_TIMEOUT_MS);
    process.stdout.write(`\n${cli ? cliFigureLines(cli).join('\n') : ''}\n`);
    if (!cli) process.exitCode = 1;
    return;
  }
  const pcap = generatePcap(join(root, 'bench', 'out', 'mixed-1m.pcap'), PACKETS);
  process.stdout.write(`-- input: ${pcap.path} (${formatCount(pcap.packets)} packets, ${formatMb(pcap.bytes)}, ${pcap.fresh ? 'generated' : 'reused'})\n`);

  const throughput = part<ThroughputFigures>('1. decode throughput', 'decodeThroughput.ts', [pcap.path, process.env.DNC_BENCH_RUNS ?? '3']);
  const live = part<LiveFigures>('2/4/5. live capture, latency, memory', 'liveCapture.ts');
  const inspector = part<InspectorFigures>('3. inspector at 1M packets in Chromium', 'inspectorScale.ts', [pcap.path]);
  const tls = part<TlsFigures>('6. TLS decryption of a large transfer', 'tlsDecrypt.ts', [process.env.DNC_BENCH_RUNS ?? '3']);
  const cli = part<CliFigures>('7. CLI -r: memory per mode, seed text vs tcpdump -X', 'cliMemory.ts', [], CLI_BENCH_TIMEOUT_MS);

  const out: string[] = [];
  out.push(`Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  if (throughput) {
    const tcpdump = throughput.lines.find((l) => l.name.startsWith('tcpdump'));
    const rows = throughput.lines.map((l) => [
      l.name,
      formatCount(l.packets),
      formatMs(l.ms),
      formatCount(l.packetsPerSecond),
      tcpdump ? `${(tcpdump.ms / l.ms).toFixed(1)}x` : '-',
      l.runs.map((r) => (r / 1000).toFixed(2)).join(' / '),
    ]);
    out.push('', `1. Decode throughput, ${formatCount(throughput.file.packets)} packets (${formatMb(throughput.file.bytes)}), median wall time`);
    out.push(table([['pipeline / tool', 'packets', 'median', 'packets/s', 'vs tcpdump -nn -r', 'runs (s)'], ...rows]));
    const engine = throughput.lines[1];
    if (engine && tcpdump) {
      out.push(`   target >= 1,000,000 pkt/s to the extension: ${verdict(engine.packetsPerSecond >= 1e6)} (${formatCount(engine.packetsPerSecond)}); >= 4x tcpdump -nn -r: ${verdict(tcpdump.ms / engine.ms >= 4)} (${(tcpdump.ms / engine.ms).toFixed(1)}x)`);
    }
  }
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
  if (inspector) {
    out.push('', `3. Inspector in headless Chromium, ${formatCount(inspector.packets)} packets of the generated file (${inspector.batchesMb.toFixed(0)} MB of frame batches), real decoder`);
    out.push(table([
      ['figure', 'measured', 'target', 'verdict'],
      ['time to first rows', formatMs(inspector.firstRowsMs), '< 1 s', verdict(inspector.firstRowsMs >= 0 && inspector.firstRowsMs < 1000)],
      ['time until all listed', formatMs(inspector.allListedMs), '< 5 s', verdict(inspector.allListedMs < 5000)],
      [`filter 'tcp.port == 80' (${inspector.filterShown}, expected ${formatCount(inspector.expectedShown)})`, formatMs(inspector.filterMs), '< 0.5 s', verdict(inspector.filterMs < 500 && inspector.filterShown === `${formatCount(inspector.expectedShown)} shown`)],
      ['scroll frame time median / p95', `${formatMs(inspector.scrollMedianMs, 1)} / ${formatMs(inspector.scrollP95Ms, 1)}`, '< 16 ms', verdict(inspector.scrollMedianMs < 16)],
      ['JS heap after GC', `${inspector.heapMb.toFixed(0)} MB`, '< 500 MB', verdict(inspector.heapMb < 500)],
    ]));
  }
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
  if (cli) out.push(...cliFigureLines(cli));
  out.push('', `Total bench time: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.stdout.write(`\n${out.join('\n')}\n`);
  if (!throughput || !live || !inspector || !tls || !cli) process.exitCode = 1;
}

main();
