/**
 * Bench 10: the CLI reading a file (`docker-network-capture -r`), as a user runs it.
 *
 *  a. Peak memory (VmHWM through /usr/bin/time) per output mode, on generated
 *     files of 1 M and 10 M packets, stdout piped into `cat > /dev/null` (a real
 *     pipe, so the CLI's backpressure is what paces it). Goal: < 200 MB in every
 *     mode at both sizes.
 *  b. Seed text speed against `tcpdump -nn -X -r` (and `-S -X`, which skips
 *     tcpdump's relative-sequence table) on the same file, runs alternating, both
 *     writing to /dev/null. Goal: >= 2x `tcpdump -nn -X -r`.
 *
 * Files go to /tmp and are deleted afterwards. Alone:
 *   flock /tmp/dnc-heavy.lock node --import tsx bench/cliMemory.ts
 * Knobs (env): DNC_BENCH_CLI_SIZES=1000000,10000000  DNC_BENCH_CLI_MODES=text,ndjson,json,write
 *   DNC_BENCH_CLI_SPEED_PACKETS=200000 (0: skip b)  DNC_BENCH_RUNS=3
 *   DNC_BENCH_CLI_DIR=/tmp/x: generate into (and reuse from) that folder and leave the
 *   files there, to split the 10 M runs over several short runs; delete it afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPart } from './lib/childResult';
import { median } from './lib/figures';
import { generatePcap } from './lib/generatePcap';

const root = join(__dirname, '..');
const CLI = join(root, 'dist', 'cli.js');
const MODES = { text: [], ndjson: ['--ndjson'], json: ['-j'], write: ['-w'] } as const;
type Mode = keyof typeof MODES;

export interface CliMemoryLine {
  packets: number;
  fileBytes: number;
  mode: Mode;
  peakRssMb: number;
  wallMs: number;
  cpuMs: number;
  outputBytes: number;
  exitCode: number | null;
}

export interface CliSpeedLine {
  tool: string;
  runsMs: number[];
  cpuRunsMs: number[];
  medianMs: number;
  medianCpuMs: number;
}

export interface CliFigures {
  memory: CliMemoryLine[];
  speed?: { packets: number; fileBytes: number; lines: CliSpeedLine[] };
}

interface Timed {
  code: number | null;
  peakKb: number;
  wallMs: number;
  cpuMs: number;
}

/** `/usr/bin/time -f` output: peak RSS (KB), wall (s), user (s), system (s). */
function parseTime(path: string): Omit<Timed, 'code'> {
  const line = readFileSync(path, 'utf8').trim().split('\n').pop() ?? '';
  const [kb, wall, user, sys] = line.split(' ').map(Number);
  return { peakKb: kb ?? NaN, wallMs: (wall ?? NaN) * 1000, cpuMs: ((user ?? NaN) + (sys ?? NaN)) * 1000 };
}

/** Runs argv under /usr/bin/time with stdout piped into `cat > /dev/null`; counts what cat got. */
function timedIntoPipe(argv: string[], timeFile: string): Promise<Timed & { outputBytes: number }> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%M %e %U %S', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sink = spawn('wc', ['-c'], { stdio: [child.stdout, 'pipe', 'inherit'] });
    let counted = '';
    sink.stdout.setEncoding('utf8').on('data', (t: string) => (counted += t));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const counted$ = new Promise<void>((r) => sink.on('close', () => r()));
    void Promise.all([exited, counted$]).then(([code]) => resolve({ code, ...parseTime(timeFile), outputBytes: Number(counted.trim()) }));
  });
}

/** Runs argv under /usr/bin/time writing to /dev/null (the same sink for every tool). */
function timedIntoDevNull(argv: string[], timeFile: string): Timed {
  const devNull = openSync('/dev/null', 'w');
  try {
    const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M %e %U %S', ...argv], { stdio: ['ignore', devNull, 'ignore'] });
    return { code: r.status, ...parseTime(timeFile) };
  } finally {
    closeSync(devNull);
  }
}

async function main(): Promise<CliFigures> {
  const sizes = (process.env.DNC_BENCH_CLI_SIZES ?? '1000000,10000000').split(',').map(Number).filter((n) => n > 0);
  const modes = (process.env.DNC_BENCH_CLI_MODES ?? 'text,ndjson,json,write').split(',').filter((m): m is Mode => m in MODES);
  const speedPackets = Number(process.env.DNC_BENCH_CLI_SPEED_PACKETS ?? 200_000);
  const runs = Number(process.env.DNC_BENCH_RUNS ?? 3);
  const keptDir = process.env.DNC_BENCH_CLI_DIR;
  const dir = keptDir ?? mkdtempSync(join(tmpdir(), 'dnc-bench-cli-'));
  const timeFile = join(dir, 'time.txt');
  const figures: CliFigures = { memory: [] };
  try {
    for (const packets of sizes) {
      const file = generatePcap(join(dir, `gen-${packets}.pcap`), packets);
      process.stderr.write(`cliMemory: ${packets} packets, ${file.bytes} bytes\n`);
      for (const mode of modes) {
        const extra = mode === 'write' ? ['-w', join(dir, 'copy.pcap')] : [...MODES[mode]];
        const r = await timedIntoPipe([process.execPath, CLI, '-r', file.path, ...extra], timeFile);
        rmSync(join(dir, 'copy.pcap'), { force: true });
        figures.memory.push({ packets, fileBytes: file.bytes, mode, peakRssMb: r.peakKb / 1024, wallMs: r.wallMs, cpuMs: r.cpuMs, outputBytes: r.outputBytes, exitCode: r.code });
        process.stderr.write(`cliMemory:   ${mode}: peak ${(r.peakKb / 1024).toFixed(0)} MB, ${(r.wallMs / 1000).toFixed(1)} s, exit ${String(r.code)}\n`);
      }
      if (!keptDir) rmSync(file.path, { force: true }); // a 10 M file is 3.2 GB
    }
    if (speedPackets > 0) {
      const file = generatePcap(join(dir, `speed-${speedPackets}.pcap`), speedPackets);
      const tools: [string, string[]][] = [
        ['docker-network-capture -r (seed text)', [process.execPath, CLI, '-r', file.path]],
        ['tcpdump -nn -X -r', ['tcpdump', '-nn', '-X', '-r', file.path]],
        ['tcpdump -nn -S -X -r', ['tcpdump', '-nn', '-S', '-X', '-r', file.path]],
      ];
      const lines: CliSpeedLine[] = tools.map(([tool]) => ({ tool, runsMs: [], cpuRunsMs: [], medianMs: 0, medianCpuMs: 0 }));
      // Alternating, so a busy moment on the shared machine hits every tool alike.
      for (let run = 0; run < runs; run++) {
        tools.forEach(([, argv], k) => {
          const r = timedIntoDevNull(argv, timeFile);
          lines[k]!.runsMs.push(r.wallMs);
          lines[k]!.cpuRunsMs.push(r.cpuMs);
        });
      }
      for (const l of lines) {
        l.medianMs = median(l.runsMs);
        l.medianCpuMs = median(l.cpuRunsMs);
      }
      figures.speed = { packets: speedPackets, fileBytes: file.bytes, lines };
    }
  } finally {
    if (!keptDir) rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

runPart(main);
