/**
 * A capture as one pcap stream, for a reader on a pipe (`wireshark -k -i -`, `tshark -i -`):
 * the packets captured so far (the spool on disk, which holds every one, or the frames in
 * memory without a spool or when the spool stopped at its size cap), then each new one as
 * it arrives, until the capture ends.
 *
 * No packet twice, none left out: new frames are listened to from the same synchronous step
 * that takes the spool's snapshot (the spool is written before listeners hear of a batch,
 * see CaptureSession), so the snapshot ends where the listened frames begin.
 *
 * Backpressure: nothing is written while the pipe is full. New frames wait in a queue of
 * at most MAX_QUEUED_BYTES; past it they are left out for this reader (counted, reported)
 * rather than holding the capture itself: a paused Wireshark must not stop the capture.
 * A closed pipe (the reader quit) ends the stream, not the capture. No `vscode` here.
 */
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { forEachFrame, recordOffsets } from '../../core/frameBatch';
import type { CapturedFrame } from '../../core/packet';
import { MAX_RECORD_LENGTH } from '../../core/pcap/pcapReader';
import { pcapGlobalHeader, PCAP_GLOBAL_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, writePcapRecord } from '../../core/pcap/pcapWriter';
import type { InspectorModel } from '../capture/inspectorModel';
import { PcapRecordCutter } from './pcapRecordCutter';

/** New frames held for a slow reader before some are left out for it. */
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

/** What a stream needs of a capture (InspectorModel has it). */
export type PcapStreamSource = Pick<InspectorModel, 'store' | 'spool' | 'live' | 'status' | 'onDidAddFrames' | 'onDidChangeStatus'>;

export interface PcapStreamResult {
  /** Packets written to the pipe. */
  packets: number;
  /** New packets left out because the reader fell behind by more than MAX_QUEUED_BYTES. */
  leftOut: number;
  /** Packets of another link type than the stream's (a pcap stream has one). */
  otherLinkType: number;
  /** Why the stream ended: the capture ended, or the reader closed the pipe. */
  ended: 'captureEnded' | 'pipeClosed';
}

export class PcapLiveStream {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private wake: (() => void) | undefined;
  private captureEnded = false;
  private pipeClosed = false;
  private linkType: number | undefined;
  private readonly result: PcapStreamResult = { packets: 0, leftOut: 0, otherLinkType: 0, ended: 'captureEnded' };

  private constructor(
    private readonly out: Writable,
    private readonly maxQueuedBytes: number,
  ) {}

  /**
   * Streams `source` into `out` until the capture ends (then `out` is ended) or the pipe
   * closes. Resolves with what was sent; never rejects for a closed pipe.
   */
  static run(source: PcapStreamSource, out: Writable, maxQueuedBytes = MAX_QUEUED_BYTES): Promise<PcapStreamResult> {
    return new PcapLiveStream(out, maxQueuedBytes).stream(source);
  }

  private async stream(source: PcapStreamSource): Promise<PcapStreamResult> {
    const closed = (): void => {
      this.pipeClosed = true;
      this.wake?.();
    };
    // EPIPE arrives as an error on the pipe: expected when the reader quits.
    this.out.on('error', closed);
    this.out.on('close', closed);
    // One synchronous step: listen, snapshot the spool, take the memory's batches.
    const frames = source.onDidAddFrames((batch) => this.enqueue(batch));
    const ending = source.onDidChangeStatus((s) => this.statusChanged(s.state));
    // A spool stopped at its size cap lacks the packets since: memory then has the latest ones, next to the live ones.
    const snapshot = source.status.spoolCapped ? undefined : source.spool?.snapshot();
    const memory = source.store.batches();
    this.statusChanged(source.live ? source.status.state : 'ended');
    try {
      const spooled = snapshot ? await snapshot : undefined;
      if (spooled && spooled.pcapBytes > 0) await this.sendSpool(spooled.path, spooled.pcapBytes);
      else for (const batch of memory) if (!(await this.sendBatch(batch))) break;
      while (!this.pipeClosed) {
        const batch = this.queue.shift();
        if (batch) {
          this.queuedBytes -= batch.length;
          if (!(await this.sendBatch(batch))) break;
          continue;
        }
        if (this.captureEnded) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      frames.dispose();
      ending.dispose();
    }
    if (this.pipeClosed) this.result.ended = 'pipeClosed';
    else {
      // No packets at all: the reader still gets a valid (empty) pcap stream.
      if (this.linkType === undefined) await this.write(pcapGlobalHeader(1));
      this.out.end();
    }
    return this.result;
  }

  private statusChanged(state: string): void {
    if (state !== 'ended' && state !== 'error' && state !== 'file') return;
    this.captureEnded = true;
    this.wake?.();
  }

  private enqueue(batch: Uint8Array): void {
    if (this.pipeClosed) return;
    if (this.queuedBytes + batch.length > this.maxQueuedBytes) {
      this.result.leftOut += recordOffsets(batch).length;
      return;
    }
    // Kept as it is: a fired batch is never modified (the frame store keeps it too).
    this.queue.push(batch);
    this.queuedBytes += batch.length;
    this.wake?.();
  }

  /** The spool's first `length` bytes: a pcap file (header and whole records). */
  private async sendSpool(path: string, length: number): Promise<void> {
    const cutter = new PcapRecordCutter();
    const file = createReadStream(path, { start: 0, end: length - 1, highWaterMark: READ_CHUNK_BYTES });
    try {
      for await (const chunk of file as AsyncIterable<Buffer>) {
        const whole = cutter.push(chunk);
        if (this.linkType === undefined && cutter.linkType !== undefined) this.linkType = cutter.linkType;
        if (whole.length > 0 && !(await this.write(whole))) return;
      }
    } finally {
      file.destroy();
    }
    this.result.packets += cutter.records;
  }

  /** One frameBatch as pcap records (and the file header before the first). */
  private async sendBatch(batch: Uint8Array): Promise<boolean> {
    const frames: CapturedFrame[] = [];
    forEachFrame(batch, (f) => frames.push(f));
    const first = frames[0];
    if (!first) return true;
    const header = this.linkType === undefined;
    if (header) this.linkType = first.linkType;
    const kept = frames.filter((f) => f.linkType === this.linkType);
    this.result.otherLinkType += frames.length - kept.length;
    let length = header ? PCAP_GLOBAL_HEADER_LENGTH : 0;
    for (const f of kept) length += PCAP_RECORD_HEADER_LENGTH + Math.min(f.data.length, MAX_RECORD_LENGTH);
    const bytes = new Uint8Array(length);
    let offset = 0;
    if (header) {
      bytes.set(pcapGlobalHeader(first.linkType), 0);
      offset = PCAP_GLOBAL_HEADER_LENGTH;
    }
    for (const f of kept) offset = writePcapRecord(bytes, offset, f);
    if (!(await this.write(bytes))) return false;
    this.result.packets += kept.length;
    return true;
  }

  /** Writes and waits while the pipe is full; false once the pipe is closed. */
  private async write(bytes: Uint8Array): Promise<boolean> {
    if (this.pipeClosed) return false;
    if (this.out.write(bytes)) return true;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
      this.out.on('error', done);
    });
    return !this.pipeClosed;
  }
}
