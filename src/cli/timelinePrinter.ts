/**
 * How the CLI shows a capture of several containers: frames of every
 * container merged into one timeline by capture time, each packet between two
 * captured containers once (core/timeline/packetDeduplicator.ts), printed as
 * text with the container in front, a JSON array at the end (-j) or NDJSON
 * lines (the record of core/timeline/timelineJson.ts).
 *
 * Live, a frame waits for the merge window (slower pipelines) and, when it is
 * addressed to another captured container, for its arrival there; a timer
 * releases what can no longer change. "Can no longer change" is judged on the
 * capture clock, held back by how late frames reach this process: each
 * container's frames come through their own pipeline (helper containers over
 * the Docker API, on a busy machine a few hundred milliseconds behind), and
 * an arrival that reaches us after its departure was released would show one
 * packet twice. So the printer tracks the delivery lag it sees and waits twice
 * that (at least LAG_FLOOR, at most LAG_CEILING). -j releases rows after
 * LAG_CEILING, as elements of one array it closes at the end, so a long
 * capture is never held whole in memory. Rows go to a PrinterOutput: the caller stops
 * reading its captures while that is full (a slow reader).
 */
import { summarize } from '../core/decode/index';
import { frameMicros, type ContainerFrame, type TimelinePacket } from '../core/timeline/containerFrame';
import type { CapturedAddresses } from '../core/timeline/capturedAddresses';
import { PacketDeduplicator } from '../core/timeline/packetDeduplicator';
import { formatTimelineText, toTimelineJsonRecord, type TimelineJsonRecord } from '../core/timeline/timelineJson';
import { LiveTimelineMerger } from '../core/timeline/timelineMerger';
import type { OutputFormat } from './packetPrinter';
import type { PrinterOutput } from './printerOutput';

const TICK_MS = 50;
const LAG_FLOOR_MICROS = 200_000;
const LAG_CEILING_MICROS = 5_000_000;
/** Observed lags are forgotten after 10 to 20 s (two buckets). */
const LAG_BUCKET_MS = 10_000;

export class TimelinePrinter {
  private readonly merger: LiveTimelineMerger;
  private readonly dedup: PacketDeduplicator;
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout;
  /** Rows printed (a packet both ends saw counts once). */
  count = 0;
  /** Frames captured, every sighting. */
  frames = 0;
  private lagNow = 0;
  private lagBefore = 0;
  private lagBucketStart = Date.now();

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
    this.dedup = new PacketDeduplicator((p) => this.print(p), { addresses, expectArrival });
    this.merger = new LiveTimelineMerger((f) => this.dedup.push(f));
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  add(frame: ContainerFrame): void {
    this.frames++;
    const lag = Date.now() * 1000 - frameMicros(frame);
    if (lag > this.lagNow) this.lagNow = lag;
    this.merger.push(frame);
  }

  /** How far behind the wall clock the timeline is released. */
  private holdMicros(): number {
    if (Date.now() - this.lagBucketStart > LAG_BUCKET_MS) {
      this.lagBefore = this.lagNow;
      this.lagNow = 0;
      this.lagBucketStart = Date.now();
    }
    return Math.min(LAG_CEILING_MICROS, Math.max(LAG_FLOOR_MICROS, 2 * Math.max(this.lagNow, this.lagBefore)));
  }

  /** Packets shown once instead of twice so far. */
  get paired(): number {
    return this.dedup.paired;
  }

  private tick(): void {
    // A reader that does not keep up: rows stay frames here (a fifth of their text)
    // until stdout drains; the capture is paused meanwhile, so they stop coming.
    if (this.output.full) return;
    // The capture time every pipeline has delivered up to, as far as we can tell.
    // -j is read when the capture ends, not as it goes: it always waits the longest
    // lag allowed, which costs only memory (seconds of frames), never a packet twice.
    const streamNow = Date.now() * 1000 - (this.format === 'json' ? LAG_CEILING_MICROS : this.holdMicros());
    this.merger.flushOlderThan(streamNow);
    // Everything older than the merge window has reached the deduplicator.
    this.dedup.flushOlderThan(streamNow - this.merger.windowMicros);
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
    this.merger.flushAll();
    this.dedup.flushAll();
    if (this.format === 'json') this.pending.push(this.count === 0 ? '[]\n' : '\n]\n');
    this.flush();
  }
}

/** One element of an array as `JSON.stringify(array, null, 3)` prints it (strings hold no raw newline). */
function jsonArrayElement(record: TimelineJsonRecord): string {
  return '   ' + JSON.stringify(record, null, 3).replace(/\n/g, '\n   ');
}
