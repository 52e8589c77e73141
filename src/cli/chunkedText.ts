/**
 * The CLI printers' output gathered into chunks: one write per packet would cap a
 * busy capture at what the reader takes in syscalls. Text and JSON go in as UTF-8,
 * a packet in the seed's boxed text is written as bytes (core/boxedTextWriter.ts:
 * hexdump text is five times the packet, and building it as strings made garbage
 * that showed in the CLI's memory while it printed a backlog).
 *
 * A written chunk is never written over: the output (and the stream behind it)
 * keeps those bytes until they are out, so what follows goes after them in the same
 * buffer, and a live capture's few rows per flush do not cost a buffer each.
 */
import { boxedTextMaxBytes, writeBoxedText, type BoxedTextPacket } from '../core/boxedTextWriter';
import type { PrinterOutput } from './printerOutput';

/** Gathered up to this much before a write. */
export const CHUNK_BYTES = 256 * 1024;
/** A new buffer holds a full chunk and a quarter: the rest after a write still takes rows. */
const BUFFER_BYTES = CHUNK_BYTES + (CHUNK_BYTES >> 2);

export class ChunkedText {
  private buffer = Buffer.allocUnsafe(0);
  private fill = 0;

  constructor(private readonly output: PrinterOutput) {}

  /** Bytes gathered and not yet written. */
  get pending(): number {
    return this.fill;
  }

  /** A full chunk is gathered: time to `write()`. */
  get chunkFull(): boolean {
    return this.fill >= CHUNK_BYTES;
  }

  addText(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const buffer = this.room(text.length * 3);
    this.fill += buffer.write(text, this.fill, 'utf8');
  }

  /** One packet as the seed's boxed text, after `prefix` (the timeline's container names). */
  addBoxedText(packet: BoxedTextPacket, prefix = ''): void {
    const buffer = this.room(prefix.length * 3 + boxedTextMaxBytes(packet));
    if (prefix !== '') this.fill += buffer.write(prefix, this.fill, 'utf8');
    this.fill = writeBoxedText(buffer, this.fill, packet);
  }

  /** Hands what is gathered to the output. */
  write(): void {
    if (this.fill === 0) return;
    this.output.write(this.buffer.subarray(0, this.fill));
    this.buffer = this.buffer.subarray(this.fill);
    this.fill = 0;
  }

  /** The buffer, with at least `bytes` free from `fill` (what it holds is written first). */
  private room(bytes: number): Buffer {
    if (this.fill + bytes > this.buffer.length) {
      this.write();
      if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, bytes));
    }
    return this.buffer;
  }
}
