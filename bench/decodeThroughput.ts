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
 *     -> PacketStore.append (summarize + columns)    ("+ webview store")
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { summarize } from '../src/core/decode/index';
import { forEachFrame, frameCount, FrameBatchWriter } from '../src/core/frameBatch';
import type { CapturedFrame } from '../src/core/packet';
import { PacketStore } from '../src/core/packetStore';
import { PcapStreamReader } from '../src/core/pcap/pcapReader';
import type { PipelineSpec } from '../src/engine/capturePlan';
import { directionTagger } from '../src/engine/captureSession';
import { ChannelDecoder, encodeFrames } from '../src/engine/channelCodec';
import { MessageKind } from '../src/protocol/helperMessages';
import { median, nowMs } from './lib/figures';
import { runPart } from './lib/childResult';
import { CONTAINER_MAC } from './lib/syntheticTraffic';

const PIPE_CHUNK = 64 * 1024;
/** The helper's batch size (src/helper/main.ts BATCH_MAX_BYTES). */
const BATCH_MAX_BYTES = 256 * 1024;

export type Stage = 'parse' | 'extension' | 'summarize' | 'webviewStore';

export interface RunResult {
  packets: number;
  ms: number;
}

const SPEC: PipelineSpec = { interfaceName: 'eth0', argv: ['tcpdump'], containerMacs: [CONTAINER_MAC] };

/** Reads the file in fresh 64 KiB chunks, as a pipe delivers tcpdump's output. */
function forEachChunk(path: string, visit: (chunk: Uint8Array) => void): void {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafeSlow(PIPE_CHUNK);
      const n = readSync(fd, chunk, 0, PIPE_CHUNK, null);
      if (n <= 0) break;
      visit(n === PIPE_CHUNK ? chunk : chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

export function runEnginePipeline(path: string, stage: Stage, maxPackets = 1_000_000): RunResult {
  const started = nowMs();
  let packets = 0;
  const reader = new PcapStreamReader();
  if (stage === 'parse') {
    forEachChunk(path, (chunk) => (packets += reader.push(chunk).records.length));
    return { packets, ms: nowMs() - started };
  }
  const writer = new FrameBatchWriter();
  const directionOf = directionTagger(SPEC);
  const decoder = new ChannelDecoder();
  const store = stage === 'webviewStore' ? new PacketStore({ maxPackets, summarize }) : undefined;
  let checksum = 0;
  const onFrame = (frame: CapturedFrame): void => {
    packets++;
    if (store) store.append(frame);
    else if (stage === 'summarize') checksum += summarize(frame.data, frame.linkType).info.length;
  };
  // Extension side: socket reads arrive in 64 KiB pieces whatever the message size.
  const receive = (message: Buffer): void => {
    for (let o = 0; o < message.length; o += PIPE_CHUNK) {
      for (const m of decoder.push(message.subarray(o, Math.min(message.length, o + PIPE_CHUNK)))) {
        if (m.kind !== MessageKind.Frames) continue;
        frameCount(m.batch);
        forEachFrame(m.batch, onFrame);
      }
    }
  };
  const flush = (): void => {
    if (writer.frameCount > 0) receive(encodeFrames(writer.take()));
  };
  forEachChunk(path, (chunk) => {
    for (const rec of reader.push(chunk).records) {
      writer.add({
        tsSec: rec.tsSec,
        tsUsec: rec.tsUsec,
        originalLength: rec.originalLength,
        linkType: rec.linkType,
        interfaceName: SPEC.interfaceName,
        direction: directionOf(rec.data, rec.linkType),
        data: rec.data,
      });
      if (writer.byteLength >= BATCH_MAX_BYTES) flush();
    }
  });
  flush();
  if (checksum < 0) throw new Error('unreachable');
  return { packets, ms: nowMs() - started };
}

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
  const packets = runEnginePipeline(path, 'parse').packets;
  const lines: ThroughputLine[] = [];
  lines.push(await measure('engine: PcapStreamReader only (parse)', runs, () => runEnginePipeline(path, 'parse')));
  lines.push(await measure('engine pipeline -> frames at the extension', runs, () => runEnginePipeline(path, 'extension')));
  lines.push(await measure('  + summarize() every frame (decoded rows)', runs, () => runEnginePipeline(path, 'summarize')));
  lines.push(await measure('  + webview PacketStore.append (rows + columns)', 1, () => runEnginePipeline(path, 'webviewStore')));
  lines.push(await measure('pcap-parser (npm), parse only', runs, () => runPcapParser(path)));
  lines.push(await measure('tcpdump -nn -r FILE > /dev/null', runs, () => runTool('tcpdump', ['-nn', '-r', path], packets)));
  lines.push(await measure('tshark -r FILE > /dev/null', Math.min(runs, 2), () => runTool('tshark', ['-r', path], packets)));
  return { file: { path, packets, bytes: statSync(path).size }, lines };
}

if (require.main === module) runPart(main);
