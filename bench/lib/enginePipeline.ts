/**
 * The engine's pipeline on a pcap file, stage by stage, exactly as a capture's bytes
 * travel (see bench/decodeThroughput.ts). Kept apart from the bench's entry so it can
 * be bundled and profiled alone (bench/stage.ts).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { summarize, summarizeColumns, summarizeRow, summarizeShared } from '../../src/core/decode/index';
import { forEachFrame, frameCount, FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { PacketStore } from '../../src/core/packetStore';
import { PcapStreamReader, type PcapRecord } from '../../src/core/pcap/pcapReader';
import type { PipelineSpec } from '../../src/helper/capturePlan';
import { directionTagger } from '../../src/helper/captureSession';
import { ChannelDecoder, encodeFrames } from '../../src/protocol/channelCodec';
import { MessageKind } from '../../src/protocol/helperMessages';
import { nowMs } from './figures';
import { CONTAINER_MAC } from './syntheticTraffic';

export { measureStageCosts } from './stageCosts';

export const PIPE_CHUNK = 64 * 1024;
/**
 * The file reader's one reused buffer (`decodeSummary`): against 64 KiB, 256 KiB cuts
 * the reads' time (922 MB read alone, alternated in one process: ~70 ms instead of
 * 100-150 ms); 1 MiB gained nothing more (BENCHMARKS.md, Bench 1, 15:35).
 */
export const FILE_READ_CHUNK = 256 * 1024;
/** The helper's batch size (src/helper/main.ts BATCH_MAX_BYTES). */
const BATCH_MAX_BYTES = 256 * 1024;

/**
 * parse: pcap records only. decodeSummary: pcap records, each decoded to its summary
 * line (src, dst, protocol, Info; the peer of `tcpdump -nn -r`). extension, summarize,
 * webviewStore: through the helper's batches and the channel, as a live capture travels.
 */
export type Stage = 'parse' | 'decodeSummary' | 'decodeSummaryFreshChunks' | 'extension' | 'summarize' | 'webviewStore';

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

/**
 * Reads the file through one reused buffer (FILE_READ_CHUNK), as a file reader
 * (tcpdump's among them) does: for visitors that keep nothing of a record once it is
 * summarized.
 */
function forEachReusedChunk(path: string, visit: (chunk: Uint8Array) => void, size = FILE_READ_CHUNK): void {
  const fd = openSync(path, 'r');
  const buffer = new Uint8Array(size);
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, size, null);
      if (n <= 0) break;
      visit(n === size ? buffer : buffer.subarray(0, n));
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
  if (stage === 'decodeSummary' || stage === 'decodeSummaryFreshChunks') {
    let characters = 0;
    // The record walker and the shared summary: no record, list or summary object per
    // packet, and one read buffer; every column still built (summaryChecksum() proves
    // the same text).
    const visit = (rec: Readonly<PcapRecord>): void => {
      const s = summarizeShared(rec.data, rec.linkType, rec.originalLength);
      // Every column of the line is read, so none of it can be skipped as unused.
      characters += s.src.length + s.dst.length + s.protocol.length + s.info.length;
      packets++;
    };
    // decodeSummaryFreshChunks: the same with a fresh buffer per read, to tell the reused
    // buffer's share of the line from the decoder's (bench/stage.ts only).
    (stage === 'decodeSummary' ? forEachReusedChunk : forEachChunk)(path, (chunk) => reader.forEachRecord(chunk, visit));
    if (characters < 0) throw new Error('unreachable');
    return { packets, ms: nowMs() - started };
  }
  const writer = new FrameBatchWriter();
  const directionOf = directionTagger(SPEC);
  const decoder = new ChannelDecoder();
  const store = stage === 'webviewStore' ? new PacketStore({ maxPackets, summarize, summarizeColumns, summarizeRow }) : undefined;
  let checksum = 0;
  const onFrame = (frame: CapturedFrame): void => {
    packets++;
    if (stage === 'summarize') checksum += summarize(frame.data, frame.linkType).info.length;
  };
  // Extension side: socket reads arrive in 64 KiB pieces whatever the message size.
  const receive = (message: Buffer): void => {
    for (let o = 0; o < message.length; o += PIPE_CHUNK) {
      for (const m of decoder.push(message.subarray(o, Math.min(message.length, o + PIPE_CHUNK)))) {
        if (m.kind !== MessageKind.Frames) continue;
        const n = frameCount(m.batch);
        if (store) {
          // The webview hands the store whole batches, as here.
          packets += n;
          store.appendBatch(m.batch);
        } else {
          forEachFrame(m.batch, onFrame);
        }
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


/** FNV-1a of a string's UTF-16 units, then a separator, folded into `h`. */
function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return Math.imul(h ^ 0x1f, 16777619);
}

/**
 * A checksum of every summary the `decodeSummary` stage builds, through the same
 * reader and decoder calls (src, source port, dst, destination port, protocol, Info
 * per packet): equal before and after a change to the decoder or reader, the lines
 * are the same text. Untimed: bench/stage.ts prints it (stage `checksum`).
 */
export function summaryChecksum(path: string): { packets: number; checksum: string } {
  const reader = new PcapStreamReader();
  let packets = 0;
  let h = 0x811c9dc5;
  const visit = (rec: Readonly<PcapRecord>): void => {
    const s = summarizeShared(rec.data, rec.linkType, rec.originalLength);
    h = fnv(h, s.src);
    h = fnv(h, String(s.srcPort));
    h = fnv(h, s.dst);
    h = fnv(h, String(s.dstPort));
    h = fnv(h, s.protocol);
    h = fnv(h, s.info);
    packets++;
  };
  forEachReusedChunk(path, (chunk) => reader.forEachRecord(chunk, visit));
  return { packets, checksum: (h >>> 0).toString(16).padStart(8, '0') };
}
