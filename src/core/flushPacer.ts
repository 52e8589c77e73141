/**
 * When to send what a producer has batched: at once (once the frames of the
 * current read are in) when nothing went out in the last `minGapMs`, else as
 * soon as that gap is over. At a low rate every frame so leaves with no wait;
 * under load messages go out at most once per gap, each carrying everything
 * that came meanwhile, so the per-message costs on the way stay bounded.
 * A fixed interval instead made every frame wait half of it on average.
 */
export class FlushPacer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queued = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private disposed = false;

  constructor(
    private readonly flush: () => void,
    readonly minGapMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something was added to the batch. */
  poke(): void {
    if (this.disposed || this.queued || this.timer !== undefined) return;
    const wait = this.lastFlush + this.minGapMs - this.now();
    if (wait <= 0) {
      // A microtask: the rest of this read's frames join the batch first.
      this.queued = true;
      queueMicrotask(() => this.fire());
    } else {
      this.timer = setTimeout(() => this.fire(), Math.ceil(wait));
    }
  }

  /** The batch was sent by its owner (e.g. because it grew large): the gap starts again. */
  flushed(): void {
    this.lastFlush = this.now();
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
    this.lastFlush = this.now();
    this.flush();
  }
}
