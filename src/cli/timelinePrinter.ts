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
import type { BoxedTextPacket } from '../core/boxedTextWriter';
import { summarize } from '../core/decode/index';
import type { ContainerFrame, TimelinePacket } from '../core/timeline/containerFrame';
import type { CapturedAddresses } from '../core/timeline/capturedAddresses';
import { LAG_CEILING_MICROS, LiveTimeline } from '../core/timeline/liveTimeline';
import { timelineTextPrefix, toTimelineJsonRecord, type TimelineJsonRecord } from '../core/timeline/timelineJson';
import { ChunkedText } from './chunkedText';
import { boxedTextPacketOf, type OutputFormat } from './packetPrinter';
import type { PrinterOutput } from './printerOutput';

const TICK_MS = 50;
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
  private readonly text: ChunkedText;
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
    this.text = new ChunkedText(output);
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
      while (this.waiting > 0 && !this.text.chunkFull) {
        const packet = this.released[this.next]!;
        this.released[this.next++] = undefined as unknown as TimelinePacket; // let the frame go
        this.waitingBytes -= packet.frame.data.length;
        this.addRow(packet);
      }
      this.text.write();
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

  /** One row into the chunk: text as bytes (chunkedText.ts), JSON as UTF-8. */
  private addRow(packet: TimelinePacket): void {
    this.count++;
    const f = packet.frame;
    if (this.format === 'text') {
      const p = boxedTextPacketOf(f, this.boxed);
      this.text.addBoxedText(p, timelineTextPrefix(packet));
      p.data = EMPTY; // do not keep the frame alive
      return;
    }
    const record = toTimelineJsonRecord(packet, summarize(f.data, f.linkType, f.originalLength));
    this.text.addText(this.format === 'json' ? (this.count === 1 ? '[\n' : ',\n') + jsonArrayElement(record) : JSON.stringify(record) + '\n');
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
