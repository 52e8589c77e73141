/**
 * Reads a spool back (a tab restored after a window reload): the pcap is
 * streamed in chunks through the core reader, so a spool larger than memory
 * only ever holds what the in-memory limit keeps; directions and interfaces
 * come from the sidecar. No `vscode` here.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { FrameBatchWriter } from '../../core/frameBatch';
import { PcapStreamReader } from '../../core/pcap/pcapReader';
import { sidecarPathOf } from './spoolFile';
import { SpoolSidecar } from './spoolFormat';

export interface SpoolReadResult {
  packets: number;
  /** Set when the spool was cut short or unreadable; the packets before it are kept. */
  problem?: string;
}

const BATCH_BYTES = 1024 * 1024;

/** Calls `onBatch` with frameBatches of about 1 MB, in capture order. */
export async function readSpool(path: string, onBatch: (batch: Uint8Array) => void): Promise<SpoolReadResult> {
  const sidecar = SpoolSidecar.parse(await readFile(sidecarPathOf(path)).catch(() => new Uint8Array(0)));
  const reader = new PcapStreamReader();
  let writer = new FrameBatchWriter();
  let packets = 0;
  const take = (): void => {
    if (writer.frameCount === 0) return;
    onBatch(writer.take());
    writer = new FrameBatchWriter();
  };
  let problem: string | undefined;
  const stream = createReadStream(path, { highWaterMark: BATCH_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const { records, error } = reader.push(chunk);
    for (const r of records) {
      const { interfaceName, direction } = sidecar.at(packets++);
      // Records can be views into `chunk`; the writer copies their bytes.
      writer.add({ ...r, interfaceName, direction });
    }
    if (writer.byteLength >= BATCH_BYTES) take();
    if (error) {
      problem = error.message;
      break;
    }
  }
  take();
  // A spool of a capture that saw nothing is empty: not a problem.
  if (!problem && packets > 0) {
    const end = reader.end();
    // The last record may be half-written if the window went away mid-write.
    if (end) problem = end.message;
  }
  stream.destroy();
  return problem ? { packets, problem } : { packets };
}
