/**
 * Bench 1's table: one per file, every line with its rate, its ratio to the line it
 * compares with (named in the last column), and the goals of issue 12 (decode +
 * summary >= 2 M packets/s; >= 5x `tcpdump -nn -r` on the realistic file).
 */
import type { FileThroughput, ThroughputFigures } from '../decodeThroughput';
import { DECODE_SUMMARY, PEERS } from './throughputPeers';
import { formatCount, formatMb, formatMs, table, verdict } from './figures';

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(1)}x` : '-';
}

function fileReport(file: FileThroughput): string[] {
  const byName = (prefix: string): FileThroughput['lines'][number] | undefined => file.lines.find((l) => l.name.startsWith(prefix));
  const engine = byName(DECODE_SUMMARY);
  const tcpdump = byName(PEERS.tcpdump);
  const absolute = byName(PEERS.tcpdumpAbsolute);
  const tshark = byName(PEERS.tshark);
  const out: string[] = [];
  out.push(`1. Decode throughput, ${file.name} file: ${formatCount(file.packets)} packets (${formatMb(file.bytes)}), median wall time, peers alternated with the engine in the same run`);
  out.push(table([
    ['pipeline / tool', 'packets', 'median', 'packets/s', 'engine decode+summary is', 'compare with', 'runs (s)'],
    ...file.lines.map((l) => [
      l.name,
      formatCount(l.packets),
      formatMs(l.ms),
      formatCount(l.packetsPerSecond),
      l === tcpdump || l === absolute || l === tshark ? ratio(engine?.packetsPerSecond, l.packetsPerSecond) : '',
      l.compare,
      l.runs.map((r) => (r / 1000).toFixed(2)).join(' / '),
    ]),
  ]));
  if (engine) {
    const goals = [`decode + summary >= 2,000,000 pkt/s: ${verdict(engine.packetsPerSecond >= 2e6)} (${formatCount(engine.packetsPerSecond)})`];
    if (tcpdump) goals.push(`vs tcpdump -nn -r ${ratio(engine.packetsPerSecond, tcpdump.packetsPerSecond)}${file.name === 'realistic' ? ` (goal >= 5x: ${verdict(engine.packetsPerSecond >= 5 * tcpdump.packetsPerSecond)})` : ''}`);
    if (absolute) goals.push(`vs -S ${ratio(engine.packetsPerSecond, absolute.packetsPerSecond)}`);
    if (tshark) goals.push(`vs tshark ${ratio(engine.packetsPerSecond, tshark.packetsPerSecond)}`);
    out.push(`   ${goals.join('; ')}`);
  }
  return out;
}

export function throughputReport(figures: ThroughputFigures): string[] {
  return figures.files.flatMap((file) => ['', ...fileReport(file)]);
}
