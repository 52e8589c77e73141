/** Bench 10's table (bench/cliMemory.ts), for bench/run.ts. */
import type { CliFigures } from '../cliMemory';
import { formatCount, formatMb, table, verdict } from './figures';

const MODE_NAMES = { text: 'text (seed)', ndjson: '--ndjson', json: '-j', write: 'text + -w FILE' } as const;

export function cliFigureLines(f: CliFigures): string[] {
  const out: string[] = [];
  out.push('', '7a. CLI -r FILE, peak memory (VmHWM via /usr/bin/time), stdout piped into wc -c');
  out.push(table([
    ['packets', 'file', 'mode', 'peak RSS', 'wall', 'CPU', 'output', 'exit', '< 200 MB'],
    ...f.memory.map((m) => [formatCount(m.packets), formatMb(m.fileBytes), MODE_NAMES[m.mode], `${m.peakRssMb.toFixed(0)} MB`, `${(m.wallMs / 1000).toFixed(1)} s`, `${(m.cpuMs / 1000).toFixed(1)} s`, formatMb(m.outputBytes), String(m.exitCode), verdict(m.exitCode === 0 && m.peakRssMb < 200)]),
  ]));
  if (f.speed) {
    const s = f.speed;
    const [cli, tcpdumpX] = s.lines;
    out.push('', `7b. Seed text vs tcpdump hexdumps, ${formatCount(s.packets)} packets (${formatMb(s.fileBytes)}), runs alternating, all to /dev/null, medians`);
    out.push(table([
      ['tool', 'median wall', 'median CPU', 'CLI speed-up (wall)', 'CLI speed-up (CPU)', 'runs wall (s)'],
      ...s.lines.map((l) => [l.tool, `${(l.medianMs / 1000).toFixed(2)} s`, `${(l.medianCpuMs / 1000).toFixed(2)} s`, cli ? `${(l.medianMs / cli.medianMs).toFixed(2)}x` : '-', cli ? `${(l.medianCpuMs / cli.medianCpuMs).toFixed(2)}x` : '-', l.runsMs.map((r) => (r / 1000).toFixed(2)).join(' / ')]),
    ]));
    if (cli && tcpdumpX) out.push(`   target seed text >= 2x tcpdump -nn -X -r: ${verdict(tcpdumpX.medianMs / cli.medianMs >= 2)} (${(tcpdumpX.medianMs / cli.medianMs).toFixed(2)}x wall, ${(tcpdumpX.medianCpuMs / cli.medianCpuMs).toFixed(2)}x CPU)`);
  }
  return out;
}
