/**
 * The decoder fuzzer: runs generated and mutated frames, pcap streams, frame
 * batches and helper-channel byte streams through every parser the packets
 * meet (PcapStreamReader/readPcapFile, summarize, dissect, sourceMac,
 * frameBatch, ChannelDecoder) and checks what must hold for ANY input:
 *
 *   - nothing throws where the API promises values (decoders, pcap reader);
 *     where it documents a throw (frameBatch, channel), only that Error;
 *   - the decoder's own last-resort catch ("decoder error: ...") never fires;
 *   - every byte range the UI would highlight lies inside the frame;
 *   - summarize and dissect agree on "malformed";
 *   - a stream read whole and read in random chunks gives the same records
 *     and the same error; known breakage is reported as that breakage;
 *   - no single case takes long (a hang shows as a slow case).
 *
 * A failure carries the case's own seed and its input in hex.
 */
import { dissect, sourceMac, summarize } from '../../src/core/decode/index';
import { forEachFrame, frameCount, FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { CaptureFileStreamReader } from '../../src/core/pcap/captureFileStreamReader';
import { MAX_RECORD_LENGTH, readPcapFile, type PcapRecord, type PcapStreamError } from '../../src/core/pcap/pcapReader';
import { ChannelDecoder, encodeFrames, encodeJson, MAX_MESSAGE_BYTES } from '../../src/protocol/channelCodec';
import { MessageKind } from '../../src/protocol/helperMessages';
import { buildFrame, buildStream, caseSeed, mutate, Prng, randomChunks, toHexString } from './fuzzInputs';

/** The frame decoders under test; the real ones unless a self-test plants a broken one. */
export interface FrameDecoders {
  summarize: typeof summarize;
  dissect: typeof dissect;
  sourceMac: typeof sourceMac;
}

const REAL_DECODERS: FrameDecoders = { summarize, dissect, sourceMac };

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Real frames (test/fixtures) used as mutation seeds. */
  corpus: { linkType: number; data: Uint8Array }[];
  /** A case slower than this counts as a hang. */
  slowCaseMs?: number;
  /** Stop at the first failures (they are usually one bug seen many times). */
  maxFailures?: number;
  /** Replay only this case seed. */
  onlyCaseSeed?: number;
  decoders?: FrameDecoders;
}

export interface FuzzFailure {
  kind: string;
  caseSeed: string;
  message: string;
  inputHex: string;
  linkType?: number;
}

export interface FuzzReport {
  cases: number;
  frames: number;
  streams: number;
  batches: number;
  channelStreams: number;
  malformedFrames: number;
  streamErrors: Record<string, number>;
  slowestCaseMs: number;
  elapsedMs: number;
  /** Peak resident set size of this process, MiB (process.resourceUsage().maxRSS). */
  peakRssMiB: number;
  /** Largest heapUsed seen between cases, MiB. */
  peakHeapMiB: number;
  failures: FuzzFailure[];
}

class CaseFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly input: Uint8Array,
    readonly linkType?: number,
  ) {
    super(message);
  }
}

const hexSeed = (seed: number): string => `0x${seed.toString(16).padStart(8, '0')}`;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

let decoders = REAL_DECODERS;

function checkFrame(data: Uint8Array, linkType: number, originalLength: number | undefined): boolean {
  const fail = (kind: string, message: string): never => {
    throw new CaseFailure(kind, message, data, linkType);
  };
  let s;
  let layers;
  try {
    s = decoders.summarize(data, linkType, originalLength);
    layers = decoders.dissect(data, linkType, originalLength);
  } catch (err) {
    return fail('decoder-threw', err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  if (s.malformed?.startsWith('decoder error')) fail('decoder-caught-exception', s.malformed);
  if (typeof s.src !== 'string' || typeof s.dst !== 'string' || typeof s.protocol !== 'string' || typeof s.info !== 'string') {
    fail('summary-shape', JSON.stringify(s));
  }
  if (s.payloadLength > 0 && (s.payloadOffset < 0 || s.payloadOffset + s.payloadLength > data.length)) {
    fail('payload-out-of-frame', `payload ${s.payloadOffset}+${s.payloadLength} of ${data.length} bytes`);
  }
  for (const layer of layers) {
    if (!(layer.offset >= 0 && layer.length >= 0 && layer.offset + layer.length <= data.length)) {
      fail('layer-out-of-frame', `layer ${layer.name} at ${layer.offset}+${layer.length} of ${data.length} bytes`);
    }
    for (const f of layer.fields) {
      if (!(f.offset >= 0 && f.length >= 0 && f.offset + f.length <= data.length)) {
        fail('field-out-of-frame', `${layer.name} / ${f.name} = ${JSON.stringify(f.value.slice(0, 60))} at ${f.offset}+${f.length} of ${data.length} bytes`);
      }
    }
  }
  const lastIsMalformed = layers[layers.length - 1]?.name === 'Malformed';
  if (lastIsMalformed !== (s.malformed !== undefined)) {
    fail('summary-dissect-disagree', `summary malformed=${JSON.stringify(s.malformed)}, dissect ends with ${layers[layers.length - 1]?.name ?? 'nothing'}`);
  }
  const mac = decoders.sourceMac(data, linkType);
  if (mac !== undefined && !MAC.test(mac)) fail('source-mac', `sourceMac returned ${JSON.stringify(mac)}`);
  return s.malformed !== undefined;
}

function readChunked(r: Prng, bytes: Uint8Array): { records: PcapRecord[]; error?: PcapStreamError } {
  // As the CLI reads a file (-r): pcap or pcapng told by the first bytes, like readPcapFile.
  const reader = new CaptureFileStreamReader();
  const records: PcapRecord[] = [];
  let error: PcapStreamError | undefined;
  for (const chunk of randomChunks(r, bytes)) {
    const result = reader.push(chunk);
    records.push(...result.records);
    error ??= result.error;
  }
  error ??= reader.end();
  return error ? { records, error } : { records };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkStream(r: Prng, report: FuzzReport): void {
  const stream = buildStream(r);
  const fail = (kind: string, message: string): never => {
    throw new CaseFailure(kind, message, stream.bytes);
  };
  let whole;
  let chunked;
  try {
    whole = readPcapFile(stream.bytes);
    chunked = readChunked(r, stream.bytes);
  } catch (err) {
    return fail('pcap-reader-threw', err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  if (whole.records.length !== chunked.records.length) fail('chunking-changes-records', `${whole.records.length} records whole, ${chunked.records.length} in chunks`);
  if (whole.error?.kind !== chunked.error?.kind || whole.error?.streamOffset !== chunked.error?.streamOffset) {
    fail('chunking-changes-error', `whole: ${JSON.stringify(whole.error)}; chunked: ${JSON.stringify(chunked.error)}`);
  }
  whole.records.forEach((rec, i) => {
    const other = chunked.records[i] as PcapRecord;
    if (!sameBytes(rec.data, other.data) || rec.tsSec !== other.tsSec || rec.tsUsec !== other.tsUsec) fail('chunking-changes-records', `record ${i} differs`);
    if (rec.data.length > MAX_RECORD_LENGTH) fail('record-too-long', `record ${i}: ${rec.data.length} bytes`);
    if (rec.tsUsec < 0 || !Number.isInteger(rec.tsUsec)) fail('timestamp', `record ${i}: tsUsec ${rec.tsUsec}`);
  });
  if (stream.expect !== 'any') {
    if (whole.error?.kind !== stream.expect) fail('wrong-stream-verdict', `expected ${stream.expect ?? 'a clean stream'}, got ${JSON.stringify(whole.error)}`);
    if (whole.records.length !== stream.goodRecords) fail('wrong-record-count', `expected ${stream.goodRecords} records, got ${whole.records.length}`);
  }
  if (whole.error) report.streamErrors[whole.error.kind] = (report.streamErrors[whole.error.kind] ?? 0) + 1;
  // What a capture does next with each record: decode it.
  for (const rec of whole.records.slice(0, 4)) {
    if (checkFrame(rec.data, rec.linkType, rec.originalLength)) report.malformedFrames++;
    report.frames++;
  }
}

function checkBatch(r: Prng): void {
  const frames: CapturedFrame[] = [];
  for (let i = 0, n = 1 + r.int(6); i < n; i++) {
    const f = buildFrame(r);
    const name = r.pick(['eth0', 'lo', 'docker0', 'x'.repeat(300), 'é∂']);
    frames.push({ tsSec: r.u32(), tsUsec: r.int(1_000_000), originalLength: f.data.length, linkType: f.linkType, direction: r.int(2) ? 'in' : 'out', interfaceName: name, data: f.data });
  }
  const writer = new FrameBatchWriter(r.int(2) ? 16 : 64 * 1024);
  for (const f of frames) writer.add(f);
  const batch = writer.take();
  const fail = (kind: string, message: string, input: Uint8Array): never => {
    throw new CaseFailure(kind, message, input);
  };
  const back = readFrameBatch(batch);
  if (back.length !== frames.length || frameCount(batch) !== frames.length) fail('batch-roundtrip', `${frames.length} frames in, ${back.length} out`, batch);
  back.forEach((f, i) => {
    const orig = frames[i] as CapturedFrame;
    if (!sameBytes(f.data, orig.data) || f.tsSec !== orig.tsSec || f.direction !== orig.direction || f.linkType !== orig.linkType) {
      fail('batch-roundtrip', `frame ${i} differs`, batch);
    }
  });
  // A damaged batch: the documented Error, or frames that lie inside it.
  const damaged = mutate(r, batch);
  let visited = 0;
  try {
    forEachFrame(damaged, (f) => {
      visited++;
      if (f.data.byteOffset < damaged.byteOffset || f.data.byteOffset + f.data.length > damaged.byteOffset + damaged.length) fail('batch-frame-out-of-bounds', 'frame data outside the batch', damaged);
    });
  } catch (err) {
    if (err instanceof CaseFailure) throw err;
    if (!(err instanceof Error) || !/frame batch is truncated/.test(err.message)) fail('batch-unexpected-error', String(err), damaged);
    visited = -1;
  }
  const counted = frameCount(damaged);
  if (visited >= 0 && counted !== visited) fail('batch-count-disagrees', `frameCount ${counted}, forEachFrame ${visited}`, damaged);
}

function checkChannel(r: Prng): void {
  const messages: { kind: number; bytes: Uint8Array }[] = [];
  const parts: Uint8Array[] = [];
  for (let i = 0, n = 1 + r.int(5); i < n; i++) {
    if (r.int(2)) {
      const body = r.bytes(r.int(200));
      messages.push({ kind: MessageKind.Frames, bytes: body });
      parts.push(encodeFrames(body));
    } else {
      const value = { type: 'log', level: 'info', message: 'x'.repeat(r.int(100)) + String(r.u32()) };
      messages.push({ kind: MessageKind.Json, bytes: Buffer.from(JSON.stringify(value)) });
      parts.push(encodeJson(value));
    }
  }
  const stream = Buffer.concat(parts);
  const fail = (kind: string, message: string, input: Uint8Array): never => {
    throw new CaseFailure(kind, message, input);
  };
  const decoder = new ChannelDecoder();
  const out: { kind: number; bytes: Uint8Array }[] = [];
  for (const chunk of randomChunks(r, stream)) {
    for (const m of decoder.push(Buffer.from(chunk))) {
      out.push(m.kind === MessageKind.Frames ? { kind: m.kind, bytes: m.batch } : { kind: m.kind, bytes: Buffer.from(JSON.stringify(m.value)) });
    }
  }
  if (out.length !== messages.length || out.some((m, i) => m.kind !== messages[i]?.kind || !sameBytes(m.bytes, messages[i].bytes))) {
    fail('channel-roundtrip', `${messages.length} messages in, ${out.length} out`, stream);
  }
  // Damaged: an Error (the connection is then dropped) or messages; never a hang or an unbounded buffer.
  const damaged = r.int(4) === 0 ? Buffer.from([...u32le(MAX_MESSAGE_BYTES + 1 + r.int(1000)), 1]) : Buffer.from(mutate(r, stream));
  const decoder2 = new ChannelDecoder();
  try {
    for (const chunk of randomChunks(r, damaged)) decoder2.push(Buffer.from(chunk));
  } catch (err) {
    if (!(err instanceof Error)) fail('channel-non-error-throw', String(err), damaged);
    return;
  }
  if (damaged.length === 5 && damaged.readUInt32LE(0) > MAX_MESSAGE_BYTES) fail('channel-accepts-huge-message', 'a length over the limit was not refused', damaged);
}

const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function frameCase(r: Prng, corpus: FuzzOptions['corpus']): { data: Uint8Array; linkType: number; originalLength?: number } {
  const k = r.int(20);
  if (k < 6) return buildFrame(r);
  if (k < 13) {
    const f = buildFrame(r);
    return { linkType: f.linkType, data: mutate(r, f.data) };
  }
  if (k < 17 && corpus.length > 0) {
    const f = r.pick(corpus);
    const data = mutate(r, f.data);
    // Sometimes claim the frame was cut by the snap length.
    return r.int(3) === 0 ? { linkType: f.linkType, data, originalLength: data.length + 1 + r.int(1500) } : { linkType: f.linkType, data };
  }
  if (k < 19) return { linkType: r.pick([1, 113, 276, 101, 12, 228, 229, 0]), data: r.bytes(r.int(r.int(8) === 0 ? 2000 : 80)) };
  return { linkType: r.u32() & (r.int(2) ? 0xffff : 0xffffffff), data: r.bytes(r.int(64)) };
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const slowCaseMs = options.slowCaseMs ?? 250;
  const maxFailures = options.maxFailures ?? 10;
  const report: FuzzReport = {
    cases: 0, frames: 0, streams: 0, batches: 0, channelStreams: 0, malformedFrames: 0, streamErrors: {},
    slowestCaseMs: 0, elapsedMs: 0, peakRssMiB: 0, peakHeapMiB: 0, failures: [],
  };
  decoders = options.decoders ?? REAL_DECODERS;
  const started = performance.now();
  const seeds = options.onlyCaseSeed !== undefined ? [options.onlyCaseSeed] : undefined;
  const total = seeds ? 1 : options.cases;
  const runCase = (seed: number): { took: number; failure?: FuzzFailure; input?: Uint8Array } => {
    const r = new Prng(seed);
    const t0 = performance.now();
    let linkType: number | undefined;
    let input: Uint8Array | undefined;
    try {
      const what = r.int(100);
      if (what < 80) {
        const f = frameCase(r, options.corpus);
        linkType = f.linkType;
        input = f.data;
        if (checkFrame(f.data, f.linkType, f.originalLength)) report.malformedFrames++;
        report.frames++;
      } else if (what < 92) {
        checkStream(r, report);
        report.streams++;
      } else if (what < 97) {
        checkBatch(r);
        report.batches++;
      } else {
        checkChannel(r);
        report.channelStreams++;
      }
    } catch (err) {
      const e = err instanceof CaseFailure ? err : new CaseFailure('harness-threw', err instanceof Error ? (err.stack ?? err.message) : String(err), input ?? new Uint8Array(0), linkType);
      const failure = { kind: e.kind, caseSeed: hexSeed(seed), message: e.message, inputHex: toHexString(e.input), ...(e.linkType !== undefined ? { linkType: e.linkType } : {}) };
      return { took: performance.now() - t0, failure };
    }
    return { took: performance.now() - t0, ...(input ? { input } : {}) };
  };
  for (let i = 0; i < total && report.failures.length < maxFailures; i++) {
    const seed = seeds ? (seeds[0] as number) : caseSeed(options.seed, i);
    const result = runCase(seed);
    if (result.failure) report.failures.push(result.failure);
    let took = result.took;
    // A busy machine or a GC pause can stall any case once; a hang stalls it every time.
    if (took > slowCaseMs) took = Math.min(took, runCase(seed).took);
    if (took > report.slowestCaseMs) report.slowestCaseMs = took;
    if (took > slowCaseMs) {
      report.failures.push({ kind: 'slow-case', caseSeed: hexSeed(seed), message: `took ${took.toFixed(0)} ms twice`, inputHex: result.input ? toHexString(result.input) : '' });
    }
    report.cases++;
    if ((i & 0x3fff) === 0) report.peakHeapMiB = Math.max(report.peakHeapMiB, process.memoryUsage().heapUsed / 1048576);
  }
  report.peakHeapMiB = Math.max(report.peakHeapMiB, process.memoryUsage().heapUsed / 1048576);
  report.elapsedMs = performance.now() - started;
  report.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  return report;
}

/** One line per failure, with what is needed to replay it. */
export function describeFailures(failures: FuzzFailure[]): string {
  return failures
    .map((f) => `[${f.kind}] case seed ${f.caseSeed}${f.linkType !== undefined ? `, link type ${f.linkType}` : ''}: ${f.message}\n  replay: DNC_FUZZ_CASE_SEED=${f.caseSeed} node --import tsx --test test/unit/fuzzDecoders.test.ts\n  input: ${f.inputHex}`)
    .join('\n');
}
