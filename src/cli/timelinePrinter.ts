/**
 * How the CLI shows a capture of several containers: frames of every
 * container merged into one timeline by capture time, each packet between two
 * captured containers once (core/timeline/packetDeduplicator.ts), printed as
 * text with the container in front, a JSON array at the end (-j) or NDJSON
 * lines (the record of core/timeline/timelineJson.ts).
 *
 * Live, rows are released by core/timeline/liveTimeline.ts (the inspector's
 * capture of several containers releases them the same way): a frame waits
 * for the merge window and, when it is addressed to another captured
 * container, for its arrival there, held back by the delivery lag seen; a
 * timer releases what can no longer change. -j releases rows after the
 * longest lag allowed (it is read at the end: waiting costs only memory, never a
 * packet twice), as elements of one array it closes at the end, so a long
 * capture is never held whole in memory. Rows go to a PrinterOutput: the caller
 * stops reading its captures while that is full (a slow reader). Released rows
 * wait as frames and become text a chunk at a time, only while the output takes
 * it: a reader that comes back (or a capture that stops) after a long pause finds
 * many rows released at once, and their text (five times their bytes, with
 * hexdumps) all at once would be hundreds of MB.
 */
import { boxedTextMaxBytes, writeBoxedText, type BoxedTextPacket } from '../core/boxedTextWriter';
import { summarize } from '../core/decode/index';
import type { ContainerFrame, TimelinePacket } from '../core/timeline/containerFrame';
import type { CapturedAddresses } from '../core/timeline/capturedAddresses';
import { LAG_CEILING_MICROS, LiveTimeline } from '../core/timeline/liveTimeline';
import { timelineTextPrefix, toTimelineJsonRecord, type TimelineJsonRecord } from '../core/timeline/timelineJson';
import { boxedTextPacketOf, type OutputFormat } from './packetPrinter';
import type { PrinterOutput } from './printerOutput';

const TICK_MS = 50;
/** Text gathered up to this much before a write. */
const CHUNK_BYTES = 256 * 1024;
const EMPTY = new Uint8Array(0);
/**
 * Frame bytes of released rows waiting for the output, past which the printer says it
 * is full: the caller pauses the capture. A block-writing helper's kernel ring holds
 * up to 64 MiB of packets while the capture is paused, and hands them over at once
 * when it goes on: they wait here, not in the printer's memory all at once.
 */
const MAX_WAITING_BYTES = 4 * 1024 * 1024;

export class TimelinePrinter {
  private readonly timeline: LiveTimeline;
  /** Rows released and not yet printed, from `next` on. */
  private released: TimelinePacket[] = [];
  private next = 0;
  private waitingBytes = 0;
  /** print() runs again once the output drains. */
  private printOnDrain = false;
  private readonly waiters: (() => void)[] = [];
  /** The chunk being filled, handed to the output when full (never reused). */
  private chunk = Buffer.allocUnsafe(0);
  private fill = 0;
  private readonly boxed: BoxedTextPacket = { direction: 'out', src: '', dst: '', srcPort: -1, dstPort: -1, data: EMPTY, payloadOffset: 0, payloadLength: 0 };
  private readonly timer: NodeJS.Timeout;
  /** Rows printed (a packet both ends saw counts once). */
  count = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly output: PrinterOutput,
    addresses: CapturedAddresses,
    expectArrival: boolean,
    /** Called with the number of rows printed, after each batch of rows. */
    private readonly onRows: (count: number) => void = () => undefined,
    /** --count: rows printed at most. */
    private readonly limit?: number,
  ) {
    this.timeline = new LiveTimeline((p) => this.queue(p), addresses, expectArrival);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  add(frame: ContainerFrame): void {
    this.timeline.add(frame, Date.now() * 1000);
  }

  /** Frames captured, every sighting. */
  get frames(): number {
    return this.timeline.frames;
  }

  /** Packets shown once instead of twice so far. */
  get paired(): number {
    return this.timeline.paired;
  }

  /** Rows released, waiting for the output. */
  get waiting(): number {
    return this.released.length - this.next;
  }

  /** The output or the rows waiting for it hold too much: stop reading the captures until `drained()`. */
  get full(): boolean {
    return this.output.full || (this.waitingBytes > MAX_WAITING_BYTES && !this.output.closed);
  }

  /** Resolves once the printer can take more (at once when it can, or when the reader went away). */
  drained(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private tick(): void {
    // A reader that does not keep up: rows wait as frames (a fifth of their text) until
    // stdout drains; the capture is paused meanwhile, so they stop coming.
    if (this.output.full) return;
    const now = Date.now() * 1000;
    if (this.format === 'json') this.timeline.release(now, LAG_CEILING_MICROS);
    else this.timeline.release(now);
    this.print();
  }

  private queue(packet: TimelinePacket): void {
    if (this.limit !== undefined && this.count + this.waiting >= this.limit) return;
    this.released.push(packet);
    this.waitingBytes += packet.frame.data.length;
  }

  /** Prints released rows, a chunk of text at a time, while the output takes them. */
  private print(): void {
    // Nobody reads any more: every row waiting is done with (and the queue is reset below).
    if (this.output.closed) this.next = this.released.length;
    while (this.waiting > 0 && !this.output.full) {
      while (this.waiting > 0 && this.fill < CHUNK_BYTES) {
        const packet = this.released[this.next]!;
        this.released[this.next++] = undefined as unknown as TimelinePacket; // let the frame go
        this.waitingBytes -= packet.frame.data.length;
        this.addRow(packet);
      }
      this.writeChunk();
    }
    if (this.next === this.released.length) {
      this.released = [];
      this.next = 0;
      this.waitingBytes = 0;
    } else if (this.next > 4096 && this.next * 2 > this.released.length) {
      this.released = this.released.slice(this.next);
      this.next = 0;
    }
    // Rows wait for the output: go on as soon as it drains, not at the next tick.
    if (this.waiting > 0 && !this.printOnDrain) {
      this.printOnDrain = true;
      void this.output.drained().then(() => {
        this.printOnDrain = false;
        this.print();
      });
    }
    if (!this.full) for (const wake of this.waiters.splice(0)) wake();
    this.onRows(this.count);
  }

  /**
   * One row into the chunk. Text is written as bytes (core/boxedTextWriter.ts: the
   * seed's text, byte for byte), not built as strings: hexdump text is five times
   * the packet, and its garbage made the CLI's memory jump while it printed a backlog.
   */
  private addRow(packet: TimelinePacket): void {
    this.count++;
    const f = packet.frame;
    if (this.format === 'text') {
      const p = boxedTextPacketOf(f, this.boxed);
      const prefix = timelineTextPrefix(packet);
      const chunk = this.room(prefix.length * 3 + boxedTextMaxBytes(p));
      this.fill += chunk.write(prefix, this.fill, 'utf8');
      this.fill = writeBoxedText(chunk, this.fill, p);
      p.data = EMPTY; // do not keep the frame alive
      return;
    }
    const record = toTimelineJsonRecord(packet, summarize(f.data, f.linkType, f.originalLength));
    this.addText(this.format === 'json' ? (this.count === 1 ? '[\n' : ',\n') + jsonArrayElement(record) : JSON.stringify(record) + '\n');
  }

  private addText(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const chunk = this.room(text.length * 3);
    this.fill += chunk.write(text, this.fill, 'utf8');
  }

  /** The chunk, with at least `bytes` free from `fill` (what it holds is written first). */
  private room(bytes: number): Buffer {
    if (this.fill + bytes > this.chunk.length) {
      this.writeChunk();
      if (bytes > this.chunk.length) this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES + (CHUNK_BYTES >> 2), bytes));
    }
    return this.chunk;
  }

  /**
   * Hands what the chunk holds to the output. The output keeps those bytes until they
   * are written, so they are never written over: the next rows go after them (a tick's
   * few rows do not cost a chunk each).
   */
  private writeChunk(): void {
    if (this.fill === 0) return;
    this.output.write(this.chunk.subarray(0, this.fill));
    this.chunk = this.chunk.subarray(this.fill);
    this.fill = 0;
  }

  /**
   * End of the capture: everything held is final, and is printed as the output takes it
   * (resolves once it is all written, or the reader went away); -j closes its array
   * (`[]` when empty, as the seed prints it).
   */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    this.timeline.finish();
    for (;;) {
      this.print();
      if (this.waiting === 0) break;
      await this.output.drained();
    }
    if (this.format === 'json') this.output.write(this.count === 0 ? '[]\n' : '\n]\n');
  }
}

/** One element of an array as `JSON.stringify(array, null, 3)` prints it (strings hold no raw newline). */
function jsonArrayElement(record: TimelineJsonRecord): string {
  return '   ' + JSON.stringify(record, null, 3).replace(/\n/g, '\n   ');
}
