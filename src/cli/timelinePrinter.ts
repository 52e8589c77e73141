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
 * stops reading its captures while that is full (a slow reader).
 */
import { summarize } from '../core/decode/index';
import type { ContainerFrame, TimelinePacket } from '../core/timeline/containerFrame';
import type { CapturedAddresses } from '../core/timeline/capturedAddresses';
import { LAG_CEILING_MICROS, LiveTimeline } from '../core/timeline/liveTimeline';
import { formatTimelineText, toTimelineJsonRecord, type TimelineJsonRecord } from '../core/timeline/timelineJson';
import type { OutputFormat } from './packetPrinter';
import type { PrinterOutput } from './printerOutput';

const TICK_MS = 50;

export class TimelinePrinter {
  private readonly timeline: LiveTimeline;
  private pending: string[] = [];
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
    this.timeline = new LiveTimeline((p) => this.print(p), addresses, expectArrival);
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

  private tick(): void {
    // A reader that does not keep up: rows stay frames here (a fifth of their text)
    // until stdout drains; the capture is paused meanwhile, so they stop coming.
    if (this.output.full) return;
    const now = Date.now() * 1000;
    if (this.format === 'json') this.timeline.release(now, LAG_CEILING_MICROS);
    else this.timeline.release(now);
    this.flush();
  }

  private print(packet: TimelinePacket): void {
    if (this.limit !== undefined && this.count >= this.limit) return;
    this.count++;
    const f = packet.frame;
    const summary = summarize(f.data, f.linkType, f.originalLength);
    if (this.format === 'json') this.pending.push((this.count === 1 ? '[\n' : ',\n') + jsonArrayElement(toTimelineJsonRecord(packet, summary)));
    else this.pending.push(this.format === 'ndjson' ? JSON.stringify(toTimelineJsonRecord(packet, summary)) + '\n' : formatTimelineText(packet, summary));
  }

  private flush(): void {
    if (this.pending.length > 0) {
      const text = this.pending.join('');
      this.pending = [];
      this.output.write(text);
    }
    this.onRows(this.count);
  }

  /** End of the capture: everything held is final; -j closes its array (`[]` when empty, as the seed prints it). */
  finish(): void {
    clearInterval(this.timer);
    this.timeline.finish();
    if (this.format === 'json') this.pending.push(this.count === 0 ? '[]\n' : '\n]\n');
    this.flush();
  }
}

/** One element of an array as `JSON.stringify(array, null, 3)` prints it (strings hold no raw newline). */
function jsonArrayElement(record: TimelineJsonRecord): string {
  return '   ' + JSON.stringify(record, null, 3).replace(/\n/g, '\n   ');
}
