/**
 * A live capture's bytes, hop by hop, from tcpdump's pipe to the postMessage
 * that carries them to the webview, with the bytes each hop copies counted
 * (copyMeter.ts). The modules are loaded from a source tree given by path, so
 * the same driver runs the code of an earlier commit ("before") and this
 * checkout's ("after") on the same file.
 *
 * What stands in for the real thing: the pcap file is read in 64 KiB pieces
 * (a pipe from tcpdump), the channel is a byte stream cut into 64 KiB reads (a
 * Unix socket's reads; the kernel's copy is not counted), and the forwarder
 * sends once a full message (1 MiB, InspectorConnection's size) waits, as under
 * a flood, to a webview that acknowledges at once. The spool writes real files.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapturedFrame } from '../../src/core/packet';
import type { CopyMeter } from './copyMeter';

export const HOPS = {
  pcapReader: 'helper: tcpdump pipe -> pcap records',
  batch: 'helper: records -> frame batch',
  message: 'helper: batch -> channel message',
  decoder: 'host: socket reads -> messages',
  spool: 'host: spool (pcap encode + write)',
  store: 'host: frame store',
  forwarder: 'host: forwarder -> postMessage',
  postMessage: 'webview: postMessage (VS Code serializes each whole ArrayBuffer)',
} as const;

const READ_BYTES = 64 * 1024;
/** The helper's batch size (src/helper/packetReader.ts BATCH_MAX_BYTES). */
const BATCH_MAX_BYTES = 256 * 1024;
/** InspectorConnection's largest message. */
const MESSAGE_BYTES = 1024 * 1024;
/** The extension's default limits (settings maxPackets, maxMemoryMB). */
const STORE_LIMITS = { maxPackets: 1_000_000, maxBytes: 512 * 1024 * 1024 };
const SPOOL_WAIT_EVERY = 8;

interface Modules {
  PcapStreamReader: new () => { push(chunk: Uint8Array): { records: { tsSec: number; tsUsec: number; originalLength: number; linkType: number; data: Uint8Array }[] } };
  FrameBatchWriter: new () => { add(frame: CapturedFrame): void; take(): Uint8Array; readonly byteLength: number; readonly frameCount: number };
  /** The message's parts as the helper writes them (one buffer before, header + batch after). */
  frameMessage: (batch: Uint8Array) => Uint8Array[];
  ChannelDecoder: new () => { push(chunk: Buffer): { kind: number; batch?: Uint8Array }[] };
  CaptureSpool: { create(folder: string, name: string, log: () => void): Promise<{ append(batch: Uint8Array): void; flush(): Promise<void>; close(): Promise<void>; readonly packets: number; readonly failed: boolean }> };
  InspectorModelBase: new (title: string, maxPackets: number, status: unknown, maxBytes: number) => object;
  BatchForwarder: new (send: (batch: Uint8Array | readonly Uint8Array[]) => void, intervalMs: number, flow: { maxMessageBytes: number }) => { push(b: Uint8Array): void; flush(): void; readonly pendingBytes: number };
}

interface Model {
  addFrames(batch: Uint8Array): number;
  onDidAddFrames(listener: (batch: Uint8Array) => void): unknown;
  readonly store: { readonly size: number; readonly droppedFromMemory: number };
}

/** Loads the modules of the tree rooted at `src` (this checkout's src, or an earlier commit's). */
export function loadModules(src: string): Modules {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const load = (path: string): Record<string, unknown> => require(join(src, path)) as Record<string, unknown>;
  const codec = load('protocol/channelCodec.ts');
  const encodeFramesParts = codec.encodeFramesParts as ((batch: Uint8Array) => Uint8Array[]) | undefined;
  const encodeFrames = codec.encodeFrames as (batch: Uint8Array) => Uint8Array;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    PcapStreamReader: load('core/pcap/pcapReader.ts').PcapStreamReader as Modules['PcapStreamReader'],
    FrameBatchWriter: load('core/frameBatch.ts').FrameBatchWriter as Modules['FrameBatchWriter'],
    frameMessage: encodeFramesParts ?? ((batch) => [encodeFrames(batch)]),
    ChannelDecoder: codec.ChannelDecoder as Modules['ChannelDecoder'],
    CaptureSpool: load('extension/spool/captureSpool.ts').CaptureSpool as Modules['CaptureSpool'],
    InspectorModelBase: load('extension/capture/inspectorModel.ts').InspectorModelBase as Modules['InspectorModelBase'],
    BatchForwarder: load('extension/capture/batchForwarder.ts').BatchForwarder as Modules['BatchForwarder'],
  };
}

export interface CopyRun {
  packets: number;
  /** Captured bytes of all packets (what "N" sums to). */
  packetBytes: number;
  /** Bytes copied per hop (HOPS values). */
  hops: Record<string, number>;
  postMessages: number;
  storeFrames: number;
  spoolPackets: number;
  ms: number;
}

export async function runCopyPipeline(m: Modules, pcapPath: string, meter: CopyMeter): Promise<CopyRun> {
  const started = Date.now();
  // The tab's model as the extension has it (its addFrames decides what the store keeps and what is posted).
  const ModelClass = class extends (m.InspectorModelBase as new (...args: unknown[]) => object) {
    readonly container = undefined;
    readonly live = true;
    stop(): Promise<void> {
      return Promise.resolve();
    }
  };
  const model = new ModelClass('bench', STORE_LIMITS.maxPackets, { state: 'capturing' }, STORE_LIMITS.maxBytes) as unknown as Model;
  let postMessages = 0;
  const forwarder = new m.BatchForwarder(
    (sent) => {
      postMessages++;
      // VS Code's serializer carries a typed array's whole ArrayBuffer, once per distinct buffer.
      const buffers = new Set((ArrayBuffer.isView(sent) ? [sent] : sent).map((b) => b.buffer));
      for (const b of buffers) meter.add(HOPS.postMessage, b.byteLength);
    },
    3_600_000,
    { maxMessageBytes: MESSAGE_BYTES },
  );
  model.onDidAddFrames((batch) => forwarder.push(batch));
  const folder = mkdtempSync(join(tmpdir(), 'dnc-copies-'));
  const spool = await m.CaptureSpool.create(folder, 'bench', () => undefined);
  const decoder = new m.ChannelDecoder();
  const writer = new m.FrameBatchWriter();
  const reader = new m.PcapStreamReader();
  let packets = 0;
  let packetBytes = 0;
  let messages = 0;

  // The extension host's side of one complete message.
  const onMessage = async (batch: Uint8Array): Promise<void> => {
    meter.during(HOPS.spool, () => spool.append(batch));
    meter.during(HOPS.store, () => model.addFrames(batch));
    meter.during(HOPS.forwarder, () => {
      if (forwarder.pendingBytes >= MESSAGE_BYTES) forwarder.flush();
    });
    if (++messages % SPOOL_WAIT_EVERY === 0) {
      // The forwarder's own timer must not fire inside the spool's wait (its copies would count there).
      meter.during(HOPS.forwarder, () => forwarder.flush());
      await meter.duringAsync(HOPS.spool, () => spool.flush());
    }
  };
  // The socket: message parts become a byte stream read back in 64 KiB reads (the kernel's copy, not counted).
  let read = Buffer.allocUnsafeSlow(READ_BYTES);
  let fill = 0;
  const queued: Uint8Array[] = [];
  const deliver = (chunk: Buffer): void => {
    for (const msg of meter.during(HOPS.decoder, () => decoder.push(chunk))) if (msg.batch) queued.push(msg.batch);
  };
  const socketWrite = (part: Uint8Array): void => {
    for (let o = 0; o < part.length; ) {
      const n = Math.min(part.length - o, READ_BYTES - fill);
      // Outside any hop of the meter: this copy is the kernel's, not the project's.
      read.set(part.subarray(o, o + n), fill);
      fill += n;
      o += n;
      if (fill === READ_BYTES) {
        deliver(read);
        read = Buffer.allocUnsafeSlow(READ_BYTES);
        fill = 0;
      }
    }
  };
  const endOfWrites = (): void => {
    if (fill > 0) deliver(read.subarray(0, fill));
    read = Buffer.allocUnsafeSlow(READ_BYTES);
    fill = 0;
  };
  const sendBatch = async (): Promise<void> => {
    const parts = meter.during(HOPS.message, () => m.frameMessage(writer.take()));
    for (const p of parts) socketWrite(p);
    for (let b = queued.shift(); b; b = queued.shift()) await onMessage(b);
  };

  const fd = openSync(pcapPath, 'r');
  try {
    for (;;) {
      // A fresh buffer per read, as a pipe delivers them.
      const chunk = Buffer.allocUnsafeSlow(READ_BYTES);
      const n = readSync(fd, chunk, 0, READ_BYTES, null);
      if (n <= 0) break;
      const records = meter.during(HOPS.pcapReader, () => reader.push(n === READ_BYTES ? chunk : chunk.subarray(0, n)).records);
      for (const rec of records) {
        packets++;
        packetBytes += rec.data.length;
        const frame: CapturedFrame = { tsSec: rec.tsSec, tsUsec: rec.tsUsec, originalLength: rec.originalLength, linkType: rec.linkType, interfaceName: 'eth0', direction: 'in', data: rec.data };
        meter.during(HOPS.batch, () => writer.add(frame));
        if (writer.byteLength >= BATCH_MAX_BYTES) await sendBatch();
      }
    }
  } finally {
    closeSync(fd);
  }
  if (writer.frameCount > 0) await sendBatch();
  endOfWrites();
  for (let b = queued.shift(); b; b = queued.shift()) await onMessage(b);
  meter.during(HOPS.forwarder, () => forwarder.flush());
  await meter.duringAsync(HOPS.spool, () => spool.close());
  const result: CopyRun = {
    packets,
    packetBytes,
    hops: Object.fromEntries(meter.bytes),
    postMessages,
    storeFrames: model.store.size + model.store.droppedFromMemory,
    spoolPackets: spool.packets,
    ms: Date.now() - started,
  };
  rmSync(folder, { recursive: true, force: true });
  if (spool.failed) throw new Error('the spool failed during the copy count');
  return result;
}
