/**
 * Merges frames from several live pipelines into timestamp order. Each tcpdump
 * delivers its own frames in order, ~15 ms after the wire; frames are held for
 * a short window so a slower pipeline's earlier frame still lands before a
 * faster one's later frame. The window trades a few tens of milliseconds of
 * latency for an order users can trust. Used for the interfaces of one capture
 * (the helper) and for the containers of one timeline (core/timeline).
 */

/** What the merger orders by: a capture time in seconds and microseconds. */
export interface Timestamped {
  tsSec: number;
  tsUsec: number;
}

export function micros(f: Timestamped): number {
  return f.tsSec * 1e6 + f.tsUsec;
}

export class TimestampMerger<T extends Timestamped> {
  private pending: T[] = [];
  private sorted = true;

  constructor(
    private readonly emit: (frame: T) => void,
    /** How long a frame waits for an earlier one from a slower stream. */
    readonly windowMicros = 40_000,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  push(frame: T): void {
    const last = this.pending[this.pending.length - 1];
    if (last && micros(last) > micros(frame)) this.sorted = false;
    this.pending.push(frame);
  }

  /** Emits every frame older than `nowMicros - window`, oldest first. */
  flushOlderThan(nowMicros: number): void {
    this.flushUpTo(nowMicros - this.windowMicros);
  }

  /** Emits every frame captured at or before `cutoffMicros`, oldest first. */
  flushUpTo(cutoffMicros: number): void {
    if (this.pending.length === 0) return;
    this.sortPending();
    const cutoff = cutoffMicros;
    let i = 0;
    while (i < this.pending.length && micros(this.pending[i] as T) <= cutoff) {
      this.emit(this.pending[i] as T);
      i++;
    }
    if (i > 0) this.pending = this.pending.slice(i);
  }

  /** Capture time of the oldest frame held; Infinity when none is. */
  get oldestMicros(): number {
    if (this.pending.length === 0) return Number.POSITIVE_INFINITY;
    this.sortPending();
    return micros(this.pending[0] as T);
  }

  /** The frame `index` places after the oldest held (0: the oldest); `index` < size. */
  at(index: number): T {
    this.sortPending();
    return this.pending[index] as T;
  }

  /** Emits everything (end of capture). */
  flushAll(): void {
    this.sortPending();
    const all = this.pending;
    this.pending = [];
    for (const f of all) this.emit(f);
  }

  private sortPending(): void {
    if (this.sorted) return;
    // Stable sort: frames with equal timestamps keep their arrival order.
    this.pending.sort((a, b) => micros(a) - micros(b));
    this.sorted = true;
  }
}
