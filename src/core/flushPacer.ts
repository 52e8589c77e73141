/**
 * When to send what a producer has batched: at once (once the frames of the
 * current read are in) when the gap since the last batch is over, else as soon
 * as it is. The gap follows the traffic: short after a small batch, so at a low
 * rate every frame leaves with little or no wait; the old fixed interval after
 * a large one, so under load each message carries many frames and the
 * per-message costs on the way (a write, a message to decode on the other
 * side) stay as they were. A fixed interval made every frame wait half of it.
 */
export interface PacerGaps {
  /** Gap after a batch of at most `lightFrames` frames. */
  lightGapMs: number;
  /** Gap after a larger batch. */
  loadedGapMs: number;
  lightFrames: number;
}

export class FlushPacer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queued = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private gapMs: number;
  private disposed = false;

  /** `flush` sends the batch and says how many frames it held. */
  constructor(
    private readonly flush: () => number,
    readonly gaps: PacerGaps,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.gapMs = gaps.lightGapMs;
  }

  /** Something was added to the batch. */
  poke(): void {
    if (this.disposed || this.queued || this.timer !== undefined) return;
    const wait = this.lastFlush + this.gapMs - this.now();
    if (wait <= 0) {
      // A microtask: the rest of this read's frames join the batch first.
      this.queued = true;
      queueMicrotask(() => this.fire());
    } else {
      this.timer = setTimeout(() => this.fire(), Math.ceil(wait));
    }
  }

  /** The owner sent a batch of `frames` itself (it grew large): the gap starts again. */
  flushed(frames: number): void {
    this.sent(frames);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.queued = false;
    this.timer = undefined;
    if (this.disposed) return;
    this.sent(this.flush());
  }

  private sent(frames: number): void {
    this.lastFlush = this.now();
    this.gapMs = frames <= this.gaps.lightFrames ? this.gaps.lightGapMs : this.gaps.loadedGapMs;
  }
}
