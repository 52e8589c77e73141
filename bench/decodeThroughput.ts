/**
 * Bench 1: decode throughput on generated pcaps, beside the tools a user would run
 * instead, measured in the same run on the same file. Two files (bench/run.ts makes
 * them): "many flows" (every TCP packet a new flow: tcpdump's relative-sequence table
 * dominates its time) and "realistic" (a few long flows, HTTP, TLS, DNS, UDP bursts).
 *
 * Like with like: `engine: read + decode + summary line` reads the file, decodes every
 * packet and builds its summary (src, dst, protocol, Info text), the work of
 * `tcpdump -nn -r` (which also formats its line) and `tshark -r`. It reads through one
 * reused 256 KiB buffer and PcapStreamReader.forEachRecord into summarizeShared(), as a
 * file reader would (`bench/stage.ts FILE checksum` proves the same lines as
 * summarize()'s). Each line names the
 * line it compares with (`compare`); the pipeline lines (helper batches, channel,
 * webview store) have no outside peer and say so.
 *
 *   pcap bytes (64 KiB chunks, like a pipe from tcpdump)
 *     -> PcapStreamReader -> frame with interface + direction (helper)
 *     -> FrameBatchWriter -> channel message (helper)
 *     -> ChannelDecoder, fed 64 KiB socket reads (extension host)
 *     -> frames                                      ("to the extension")
 *     -> summarize() each                            ("+ summarize")
 *     -> PacketStore.appendBatch (columns; Info only for rows shown) ("+ webview store")
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { median, nowMs } from './lib/figures';
import { runPart } from './lib/childResult';
import { loadBundledPipeline } from './lib/bundledPipeline';
import { PIPE_CHUNK, type RunResult } from './lib/enginePipeline';
import { generatePcap, removeGenerated } from './lib/generatePcap';
import { DECODE_SUMMARY, PEERS } from './lib/throughputPeers';
import { throughputReport } from './lib/throughputReport';

/** pcap-parser (the package the design first named), parsing only, from a file stream. */
export function runPcapParser(path: string): Promise<RunResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pcapParser = require('pcap-parser') as { parse(input: NodeJS.ReadableStream): NodeJS.EventEmitter };
  return new Promise((resolve, reject) => {
    const started = nowMs();
    let packets = 0;
    const parser = pcapParser.parse(createReadStream(path, { highWaterMark: PIPE_CHUNK }));
    let done = false;
    parser.on('packet', () => packets++);
    parser.on('error', reject);
    // pcap-parser can emit `end` twice; the first one counts.
    parser.on('end', () => {
      if (done) return;
      done = true;
      resolve({ packets, ms: nowMs() - started });
    });
  });
}

/** Runs an external reader with its output thrown away; counts come from the file. */
export function runTool(command: string, args: string[], packets: number): RunResult {
  const started = nowMs();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  const ms = nowMs() - started;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr?.toString().trim() ?? result.status}`);
  return { packets, ms };
}

export interface ThroughputLine {
  name: string;
  packets: number;
  /** Median wall time of the runs. */
  ms: number;
  runs: number[];
  packetsPerSecond: number;
}

export async function measure(name: string, runs: number, once: () => RunResult | Promise<RunResult>): Promise<ThroughputLine> {
  const times: number[] = [];
  let packets = 0;
  for (let i = 0; i < runs; i++) {
    const r = await once();
    packets = r.packets;
    times.push(r.ms);
  }
  const ms = median(times);
  return { name, packets, ms, runs: times, packetsPerSecond: (packets / ms) * 1000 };
}

export interface FileThroughput {
  /** "many flows" or "realistic". */
  name: string;
  path: string;
  packets: number;
  bytes: number;
  lines: (ThroughputLine & { compare: string })[];
}

export interface ThroughputFigures {
  files: FileThroughput[];
}

/** tshark takes ~40x tcpdump's time: read only this many packets of a file (`-c`), compared by rate. */
const TSHARK_PACKETS = 200_000;

async function measureFile(name: string, path: string, runs: number): Promise<FileThroughput> {
  const { runEnginePipeline, measureStageCosts } = loadBundledPipeline();
  const packets = runEnginePipeline(path, 'parse').packets;
  const lines: FileThroughput['lines'] = [];
  const add = (line: ThroughputLine, compare: string): void => {
    lines.push({ ...line, compare });
  };
  const peersOfSummary = `${PEERS.tcpdump}; ${PEERS.tcpdumpAbsolute}; ${PEERS.tshark}`;
  // Engine and peers alternate run by run, so a burst of load from other users of the
  // machine falls on both sides of a ratio rather than on one.
  const engineRuns: number[] = [];
  const tcpdumpRuns: number[] = [];
  const absoluteRuns: number[] = [];
  // One run unrecorded: the extension's decoder is compiled after its first batches;
  // the bench measures that steady state, not V8's warm-up.
  runEnginePipeline(path, 'decodeSummary');
  for (let i = 0; i < runs; i++) {
    engineRuns.push(runEnginePipeline(path, 'decodeSummary').ms);
    tcpdumpRuns.push(runTool('tcpdump', ['-nn', '-r', path], packets).ms);
    absoluteRuns.push(runTool('tcpdump', ['-nn', '-S', '-r', path], packets).ms);
  }
  add(lineOf(DECODE_SUMMARY, packets, engineRuns), peersOfSummary);
  add(lineOf(PEERS.tcpdump, packets, tcpdumpRuns), DECODE_SUMMARY);
  add(lineOf(PEERS.tcpdumpAbsolute, packets, absoluteRuns), `${DECODE_SUMMARY} (tcpdump without its relative-sequence table)`);
  const tsharkPackets = Math.min(packets, TSHARK_PACKETS);
  add(await measure(`${PEERS.tshark} (first ${tsharkPackets.toLocaleString('en-US')} packets, -c)`, 1, () => runTool('tshark', ['-r', path, '-c', String(tsharkPackets)], tsharkPackets)), `${DECODE_SUMMARY}, by packets/s`);
  add(await measure('engine: PcapStreamReader only (parse)', runs, () => runEnginePipeline(path, 'parse')), 'pcap-parser (npm), parse only');
  add(await measure('pcap-parser (npm), parse only', runs, () => runPcapParser(path)), 'engine: PcapStreamReader only (parse)');
  const noPeer = 'no outside peer: the capture path (helper batches, channel, webview)';
  add(await measure('engine pipeline -> frames at the extension', runs, () => runEnginePipeline(path, 'extension')), noPeer);
  add(await measure('  + summarize() every frame (decoded rows)', runs, () => runEnginePipeline(path, 'summarize')), noPeer);
  add(await measure('  + webview PacketStore.appendBatch (list rows)', runs, () => runEnginePipeline(path, 'webviewStore')), noPeer);
  // Each step alone, frames already in memory: where the time of the lines above goes.
  for (const cost of measureStageCosts(path)) {
    add({ name: `step alone: ${cost.name.trim()}`, packets: cost.packets, ms: cost.ms, runs: [cost.ms], packetsPerSecond: (cost.packets / cost.ms) * 1000 }, 'its neighbours (frames in memory)');
  }
  return { name, path, packets, bytes: statSync(path).size, lines };
}

function lineOf(name: string, packets: number, runs: number[]): ThroughputLine {
  const ms = median(runs);
  return { name, packets, ms, runs, packetsPerSecond: (packets / ms) * 1000 };
}

/** argv: RUNS then NAME=FILE.pcap pairs, e.g. `3 "many flows=a.pcap" realistic=b.pcap`. */
async function main(): Promise<ThroughputFigures> {
  const [runsText, ...files] = process.argv.slice(2);
  const runs = Number(runsText ?? 3);
  if (files.length === 0 || !(runs >= 1)) throw new Error('usage: decodeThroughput.ts RUNS NAME=FILE.pcap...');
  const figures: ThroughputFigures = { files: [] };
  for (const spec of files) {
    const at = spec.indexOf('=');
    if (at <= 0) throw new Error(`expected NAME=FILE.pcap, got ${spec}`);
    figures.files.push(await measureFile(spec.slice(0, at), spec.slice(at + 1), runs));
  }
  return figures;
}

/**
 * Bench 1 alone, for iterating: generates both files at PACKETS packets, prints the
 * tables, deletes the files. `node --import tsx bench/decodeThroughput.ts --alone PACKETS [RUNS [many|realistic]]`
 */
async function alone(packets: number, runs: number, only?: string): Promise<void> {
  const dir = join(__dirname, 'out');
  const many = generatePcap(join(dir, `many-flows-${packets}.pcap`), packets);
  const realistic = generatePcap(join(dir, `realistic-${packets}.pcap`), packets, 7, 'realistic');
  try {
    // Realistic first, each table printed as soon as it is measured.
    for (const [name, file] of [['realistic', realistic], ['many flows', many]] as const) {
      if (only !== undefined && !name.startsWith(only)) continue;
      process.stdout.write(`${throughputReport({ files: [await measureFile(name, file.path, runs)] }).join('\n')}\n`);
    }
  } finally {
    removeGenerated(many);
    removeGenerated(realistic);
  }
}

if (require.main === module) {
  if (process.argv[2] === '--alone') void alone(Number(process.argv[3] ?? 200_000), Number(process.argv[4] ?? 3), process.argv[5]);
  else runPart(main);
}
