/**
 * Bench 1: decode throughput on a generated 1,000,000-packet pcap, through the
 * engine's pipeline exactly as a capture's bytes travel, beside the tools a
 * user would run instead on the same file.
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
import { median, nowMs } from './lib/figures';
import { runPart } from './lib/childResult';
import { loadBundledPipeline } from './lib/bundledPipeline';
import { PIPE_CHUNK, type RunResult } from './lib/enginePipeline';

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

export interface ThroughputFigures {
  file: { path: string; packets: number; bytes: number };
  lines: ThroughputLine[];
}

async function main(): Promise<ThroughputFigures> {
  const path = process.argv[2];
  const runs = Number(process.argv[3] ?? 3);
  if (!path) throw new Error('usage: decodeThroughput.ts FILE.pcap [RUNS]');
  const { runEnginePipeline, measureStageCosts } = loadBundledPipeline();
  const packets = runEnginePipeline(path, 'parse').packets;
  const lines: ThroughputLine[] = [];
  lines.push(await measure('engine: PcapStreamReader only (parse)', runs, () => runEnginePipeline(path, 'parse')));
  lines.push(await measure('engine pipeline -> frames at the extension', runs, () => runEnginePipeline(path, 'extension')));
  lines.push(await measure('  + summarize() every frame (decoded rows)', runs, () => runEnginePipeline(path, 'summarize')));
  lines.push(await measure('  + webview PacketStore.appendBatch (list rows)', runs, () => runEnginePipeline(path, 'webviewStore')));
  // Each step alone, frames already in memory: where the time of the lines above goes.
  for (const cost of measureStageCosts(path)) {
    lines.push({ name: `step alone: ${cost.name.trim()}`, packets: cost.packets, ms: cost.ms, runs: [cost.ms], packetsPerSecond: (cost.packets / cost.ms) * 1000 });
  }
  lines.push(await measure('pcap-parser (npm), parse only', runs, () => runPcapParser(path)));
  lines.push(await measure('tcpdump -nn -r FILE > /dev/null', runs, () => runTool('tcpdump', ['-nn', '-r', path], packets)));
  lines.push(await measure('tshark -r FILE > /dev/null', Math.min(runs, 2), () => runTool('tshark', ['-r', path], packets)));
  return { file: { path, packets, bytes: statSync(path).size }, lines };
}

if (require.main === module) runPart(main);
