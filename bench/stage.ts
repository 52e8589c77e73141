/**
 * One stage of bench 1, timed alone (for profiling with `node --cpu-prof`):
 *   node [--cpu-prof] --import tsx bench/stage.ts FILE.pcap STAGE [RUNS]
 * STAGE: parse | decodeSummary | extension | summarize | webviewStore, or `costs`
 * (bench/lib/stageCosts.ts: each step alone, frames in memory), or `checksum` (a
 * checksum of every decodeSummary line: compare it before and after a decoder change). Prints wall ms, packets/s and
 * CPU ms per run (on a shared machine CPU time is the steadier figure). The stage runs
 * from the same esbuild bundle as bench 1.
 */
import { loadBundledPipeline } from './lib/bundledPipeline';
import type { Stage } from './lib/enginePipeline';

const { runEnginePipeline, measureStageCosts, summaryChecksum } = loadBundledPipeline();

const [path, stage = 'extension', runsText = '3'] = process.argv.slice(2);
if (!path) throw new Error('usage: stage.ts FILE.pcap STAGE|costs [RUNS]');
for (let i = 0; i < Number(runsText); i++) {
  if (stage === 'checksum') {
    const { packets, checksum } = summaryChecksum(path);
    process.stdout.write(`checksum of ${packets} summaries (src, ports, dst, protocol, Info): ${checksum}\n`);
    continue;
  }
  if (stage === 'costs') {
    for (const c of measureStageCosts(path)) process.stdout.write(`${c.name.padEnd(44)} ${c.ms.toFixed(0).padStart(6)} ms ${Math.round((c.packets / c.ms) * 1000).toLocaleString('en-US').padStart(10)} pkt/s\n`);
    continue;
  }
  const cpu = process.cpuUsage();
  const r = runEnginePipeline(path, stage as Stage);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  process.stdout.write(`${stage}: ${r.packets} packets in ${r.ms.toFixed(0)} ms (${Math.round((r.packets / r.ms) * 1000).toLocaleString('en-US')} pkt/s), CPU ${cpuMs.toFixed(0)} ms\n`);
}
