/**
 * The timestamp merge of a live capture's pipelines, driven by time. Each
 * frame is held for the LatenessWindow (how late frames have been arriving
 * lately), or less once every pipeline has delivered a later frame: each
 * pipeline is in time order by itself, so nothing earlier can still come
 * from any of them. It wakes when the oldest held frame is due, not on a
 * fixed tick, so a frame waits for its window and no longer.
 */
import { LatenessWindow } from './latenessWindow';
import { micros, TimestampMerger, type Timestamped } from './timestampMerger';

/** After the I/O callbacks of this event-loop turn (Node's check phase); a zero timeout elsewhere (core also builds for the webview). */
const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
const afterReads: (f: () => void) => void = immediate ? (f) => void immediate(f) : (f) => void setTimeout(f, 0);

export class LiveMerge<T extends Timestamped> {
  private readonly merger: TimestampMerger<T>;
  /** Per pipeline, the capture time of its newest frame (-Infinity until it delivers one). */
  private readonly newest: number[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private settleQueued = false;
  private disposed = false;

  constructor(
    emit: (frame: T) => void,
    pipelines: number,
    private readonly window = new LatenessWindow(),
    /** Wall-clock now in µs, the clock pcap timestamps are in. */
    private readonly now: () => number = () => Date.now() * 1000,
  ) {
    this.merger = new TimestampMerger(emit, window.options.maxMicros);
    this.newest = new Array<number>(pipelines).fill(Number.NEGATIVE_INFINITY);
  }

  /** Frames held now. */
  get size(): number {
    return this.merger.size;
  }

  /** A frame from pipeline `pipeline` (0-based); frames of one pipeline come in time order. */
  push(pipeline: number, frame: T): void {
    if (this.disposed) return;
    const at = micros(frame);
    this.window.observe(at, this.now());
    if (at > (this.newest[pipeline] ?? Number.NEGATIVE_INFINITY)) this.newest[pipeline] = at;
    this.merger.push(frame);
    // Settled once the reads of this turn are in, not per frame: when the reader
    // was busy, every pipeline's backlog is read in the same turn and merged together.
    if (this.settleQueued) return;
    this.settleQueued = true;
    afterReads(() => {
      this.settleQueued = false;
      this.settle();
    });
  }

  /** Emits everything held (end of capture) and stops the timer. */
  flushAll(): void {
    this.clearTimer();
    this.merger.flushAll();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  /** Emits what is due and sets the timer for the next frame that will be. */
  private settle(): void {
    if (this.disposed) return;
    const now = this.now();
    const window = this.window.windowMicros(now);
    // Every pipeline has delivered past this time: nothing earlier can still come.
    const allPast = Math.min(...this.newest);
    this.merger.flushUpTo(Math.max(now - window, allPast));
    const oldest = this.merger.oldestMicros;
    if (oldest === Number.POSITIVE_INFINITY) {
      this.clearTimer();
      return;
    }
    const due = oldest + window;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      this.settle();
    }, Math.max(0, Math.ceil((due - now) / 1000)));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }
}
