/**
 * One timeline out of several per-container packet streams, by capture time.
 * Every stream is in time order on its own (one tcpdump per interface, the
 * kernel's clock for all), so merging is a k-way merge of sorted streams; live,
 * frames are held for a short window so a slower stream's earlier frame still
 * lands before a faster one's later frame. Equal times keep stream order.
 */
import { frameMicros, type ContainerFrame } from './containerFrame';

/** Merges streams that are each in time order; stable (ties go to the earlier stream). */
export function mergeByTime(streams: readonly (readonly ContainerFrame[])[]): ContainerFrame[] {
  const k = streams.length;
  const next = new Int32Array(k);
  const heads = new Float64Array(k).fill(Infinity);
  let total = 0;
  for (let s = 0; s < k; s++) {
    const stream = streams[s]!;
    total += stream.length;
    if (stream.length > 0) heads[s] = frameMicros(stream[0]!);
  }
  const out = new Array<ContainerFrame>(total);
  // A few containers: a linear scan of the heads beats a heap.
  for (let n = 0; n < total; n++) {
    let best = 0;
    for (let s = 1; s < k; s++) if (heads[s]! < heads[best]!) best = s;
    const stream = streams[best]!;
    const i = next[best]!;
    out[n] = stream[i]!;
    next[best] = i + 1;
    heads[best] = i + 1 < stream.length ? frameMicros(stream[i + 1]!) : Infinity;
  }
  return out;
}

/** The live form: push frames as they come, flush what is older than the window. */
export class LiveTimelineMerger {
  private pending: ContainerFrame[] = [];
  private sorted = true;

  constructor(
    private readonly emit: (frame: ContainerFrame) => void,
    /** How long a frame waits for an earlier one from a slower stream. */
    readonly windowMicros = 50_000,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  push(frame: ContainerFrame): void {
    const last = this.pending[this.pending.length - 1];
    if (last && frameMicros(last) > frameMicros(frame)) this.sorted = false;
    this.pending.push(frame);
  }

  /** Emits every frame captured before `nowMicros - window`, oldest first. */
  flushOlderThan(nowMicros: number): void {
    if (this.pending.length === 0) return;
    this.sortPending();
    const cutoff = nowMicros - this.windowMicros;
    let i = 0;
    while (i < this.pending.length && frameMicros(this.pending[i]!) <= cutoff) this.emit(this.pending[i++]!);
    if (i > 0) this.pending = this.pending.slice(i);
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
    // Array.prototype.sort is stable: equal times keep their arrival order.
    this.pending.sort((a, b) => frameMicros(a) - frameMicros(b));
    this.sorted = true;
  }
}
