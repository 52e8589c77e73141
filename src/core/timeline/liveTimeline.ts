/**
 * A live merged, de-duplicated timeline of several containers' frames: what
 * the CLI's printer (cli/timelinePrinter.ts) and the inspector's capture of
 * several containers (extension/capture/multiCaptureSession.ts) both show.
 *
 * Frames are merged by capture time (timelineMerger.ts) and each packet between
 * two captured containers is shown once (packetDeduplicator.ts). A row is
 * released once it can no longer change. "Can no longer change" is judged on
 * the capture clock, held back by how late frames reach this process: each
 * container's frames come through their own pipeline (helper containers over
 * the Docker API, on a busy machine a few hundred milliseconds behind), and an
 * arrival that reaches us after its departure was released would show one
 * packet twice. So the timeline tracks the delivery lag it sees and waits
 * twice that (at least LAG_FLOOR, at most LAG_CEILING).
 *
 * No timers here: the owner calls `release(now)` on its own tick, with the
 * wall clock in microseconds (testable, and the same in every runtime).
 */
import { frameMicros, type ContainerFrame, type TimelinePacket } from './containerFrame';
import type { CapturedAddresses } from './capturedAddresses';
import { PacketDeduplicator } from './packetDeduplicator';
import { LiveTimelineMerger } from './timelineMerger';

const LAG_FLOOR_MICROS = 200_000;
/** The longest pipeline lag waited for; a reader of the end result (-j) may always wait this long. */
export const LAG_CEILING_MICROS = 5_000_000;
/** Observed lags are forgotten after 10 to 20 s (two buckets). */
const LAG_BUCKET_MICROS = 10_000_000;
/**
 * Frames, and their bytes, held at most. The hold follows the lag seen, and a lag of
 * seconds (a reader that made the capture wait, a helper writing in blocks) at a flood
 * would hold hundreds of thousands of frames before the first row is printed, and so
 * before the reader's backpressure can pause anything. Past either limit the oldest are
 * released whatever the hold: memory stays bounded, and at worst a copy that comes
 * later than that shows twice.
 */
export const MAX_HELD_FRAMES = 50_000;
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

export class LiveTimeline {
  private readonly merger: LiveTimelineMerger;
  private readonly dedup: PacketDeduplicator;
  private lagNow = 0;
  private lagBefore = 0;
  private lagBucketStart = -1;
  /** Frames added, every sighting. */
  frames = 0;

  constructor(
    emit: (packet: TimelinePacket) => void,
    addresses: CapturedAddresses,
    /** false when one direction only is captured: no arrival can be seen, none is missed. */
    expectArrival: boolean,
  ) {
    this.dedup = new PacketDeduplicator(emit, { addresses, expectArrival });
    this.merger = new LiveTimelineMerger((f) => {
      this.heldBytes -= f.data.length;
      this.dedup.push(f);
    });
  }

  /** Bytes of the frames the merger holds. */
  private heldBytes = 0;

  /** A frame as it reaches this process; `nowMicros` is the wall clock then. */
  add(frame: ContainerFrame, nowMicros: number): void {
    this.frames++;
    this.heldBytes += frame.data.length;
    const lag = nowMicros - frameMicros(frame);
    if (lag > this.lagNow) this.lagNow = lag;
    this.merger.push(frame);
  }

  /** Packets shown once instead of twice so far. */
  get paired(): number {
    return this.dedup.paired;
  }

  /**
   * Emits every row that can no longer change, as of the wall clock `nowMicros`;
   * `holdMicros` replaces the hold learnt from the lag seen (a reader that waits anyway).
   */
  release(nowMicros: number, holdMicros = this.holdMicros(nowMicros)): void {
    // The capture time every pipeline has delivered up to, as far as we can tell.
    let streamNow = nowMicros - holdMicros;
    const over = this.framesOverLimits();
    if (over > 0) streamNow = Math.max(streamNow, frameMicros(this.merger.at(over - 1)) + this.merger.windowMicros);
    this.merger.flushOlderThan(streamNow);
    // Everything older than the merge window has reached the deduplicator.
    this.dedup.flushOlderThan(streamNow - this.merger.windowMicros);
  }

  /** How many of the oldest frames held must go for the rest to be within MAX_HELD_FRAMES and MAX_HELD_BYTES. */
  private framesOverLimits(): number {
    let over = Math.max(0, this.merger.size - MAX_HELD_FRAMES);
    if (this.heldBytes <= MAX_HELD_BYTES) return over;
    let bytes = this.heldBytes;
    for (let i = 0; i < over; i++) bytes -= this.merger.at(i).data.length;
    while (bytes > MAX_HELD_BYTES && over < this.merger.size) bytes -= this.merger.at(over++).data.length;
    return over;
  }

  /** End of the capture: everything held is final. */
  finish(): void {
    this.merger.flushAll();
    this.dedup.flushAll();
  }

  /** How far behind the wall clock the timeline is released. */
  private holdMicros(nowMicros: number): number {
    if (this.lagBucketStart < 0) this.lagBucketStart = nowMicros;
    if (nowMicros - this.lagBucketStart > LAG_BUCKET_MICROS) {
      this.lagBefore = this.lagNow;
      this.lagNow = 0;
      this.lagBucketStart = nowMicros;
    }
    return Math.min(LAG_CEILING_MICROS, Math.max(LAG_FLOOR_MICROS, 2 * Math.max(this.lagNow, this.lagBefore)));
  }
}
