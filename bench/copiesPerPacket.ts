/**
 * Bench 11 (issue 12 goal 5): bytes copied per packet on each hop from tcpdump's
 * pipe to the webview's postMessage, measured by counting the copy primitives
 * the code calls (bench/lib/copyMeter.ts) while a pcap file travels the hops
 * (bench/lib/copyPipeline.ts). "before" is the code of BASELINE_COMMIT (the
 * commit before the copies were cut), "after" this checkout's, on the same file
 * in the same run, each in a process of its own.
 *
 *   node --import tsx bench/copiesPerPacket.ts FILE.pcap
 * (`npm run bench` passes its generated 1 M-packet file; the baseline's sources
 * come from git, extracted once to a temporary folder.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResult, reportResult, runPart } from './lib/childResult';
import { CopyMeter } from './lib/copyMeter';
import { HOPS, loadModules, runCopyPipeline, type CopyRun } from './lib/copyPipeline';
import { formatCount, table } from './lib/figures';

/** The last commit with the copies goal 5 removed. */
export const BASELINE_COMMIT = '411e5a179070c202710be4f6dd8a68a06455d9c8';

const root = join(__dirname, '..');

export interface CopyFigures {
  baseline: string;
  before: CopyRun | undefined;
  after: CopyRun;
}

/** The baseline's src folder, extracted from git (undefined when the commit is not in this clone). */
function baselineSources(): string | undefined {
  const dir = join(tmpdir(), `dnc-copies-baseline-${BASELINE_COMMIT.slice(0, 12)}`);
  const done = join(dir, '.done');
  if (existsSync(done)) return join(dir, 'src');
  const archive = spawnSync('git', ['-C', root, 'archive', '--format=tar', BASELINE_COMMIT, 'src'], { maxBuffer: 256 * 1024 * 1024 });
  if (archive.status !== 0) return undefined;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (tar.status !== 0) return undefined;
  writeFileSync(done, BASELINE_COMMIT);
  return join(dir, 'src');
}

function runVersion(src: string, pcap: string): CopyRun | undefined {
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--run', src, pcap], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  return parseResult<CopyRun>(child.stdout ?? '');
}

const perPacket = (run: CopyRun | undefined, hop: string): number => (run ? (run.hops[hop] ?? 0) / run.packets : Number.NaN);
const times = (run: CopyRun | undefined, hop: string): number => (run ? (run.hops[hop] ?? 0) / run.packetBytes : Number.NaN);
const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** The table of bench 11 (also printed by npm run bench). */
export function copyLines(f: CopyFigures): string[] {
  const hops = Object.values(HOPS);
  const sum = (run: CopyRun | undefined, side: 'helper' | 'host'): number => hops.filter((h) => h.startsWith(side)).reduce((n, h) => n + perPacket(run, h), 0);
  const sumN = (run: CopyRun | undefined, side: 'helper' | 'host'): number => hops.filter((h) => h.startsWith(side)).reduce((n, h) => n + times(run, h), 0);
  const a = f.after;
  const b = f.before;
  return [
    '',
    `11. Bytes copied per packet, by hop (copy primitives counted): ${formatCount(a.packets)} packets, ${fmt(a.packetBytes / a.packets)} captured bytes each on average (N); before = ${f.baseline.slice(0, 12)}${b ? '' : ' (NOT measured: that commit is not in this clone)'}`,
    table([
      ['hop', 'before B/packet', 'before xN', 'after B/packet', 'after xN'],
      ...hops.map((h) => [h, fmt(perPacket(b, h)), fmt(times(b, h), 2), fmt(perPacket(a, h)), fmt(times(a, h), 2)]),
      ['helper total', fmt(sum(b, 'helper')), fmt(sumN(b, 'helper'), 2), fmt(sum(a, 'helper')), fmt(sumN(a, 'helper'), 2)],
      ['extension host total', fmt(sum(b, 'host')), fmt(sumN(b, 'host'), 2), fmt(sum(a, 'host')), fmt(sumN(a, 'host'), 2)],
    ]),
    `   postMessage calls: before ${formatCount(b?.postMessages ?? Number.NaN)}, after ${formatCount(a.postMessages)}; frames in the store ${formatCount(a.storeFrames)}, in the spool ${formatCount(a.spoolPackets)}`,
  ];
}

async function child(src: string, pcap: string): Promise<CopyRun> {
  const modules = loadModules(src);
  const meter = new CopyMeter();
  meter.install();
  try {
    return await runCopyPipeline(modules, pcap, meter);
  } finally {
    meter.uninstall();
  }
}

async function main(): Promise<CopyFigures> {
  const pcap = process.argv[2];
  if (!pcap) throw new Error('usage: copiesPerPacket.ts FILE.pcap');
  const baseline = baselineSources();
  const before = baseline ? runVersion(baseline, pcap) : undefined;
  const after = runVersion(join(root, 'src'), pcap);
  if (!after) throw new Error('the copy count of this checkout failed');
  if (baseline && !before) throw new Error('the copy count of the baseline failed');
  const figures: CopyFigures = { baseline: BASELINE_COMMIT, before, after };
  process.stderr.write(`${copyLines(figures).join('\n')}\n`);
  return figures;
}

if (require.main === module) {
  const [flag, src, pcap] = process.argv.slice(2);
  if (flag === '--run' && src && pcap) {
    child(src, pcap).then(
      (run) => {
        reportResult(run);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  } else {
    runPart(main);
  }
}
