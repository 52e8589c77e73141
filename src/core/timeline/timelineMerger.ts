/**
 * One timeline out of several per-container packet streams, by capture time.
 * Every stream is in time order on its own (one tcpdump per interface, the
 * kernel's clock for all), so merging is a k-way merge of sorted streams; live,
 * frames are held for a short window so a slower stream's earlier frame still
 * lands before a faster one's later frame. Equal times keep stream order.
 */
import { TimestampMerger } from '../timestampMerger';
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

/** The live form: push frames as they come, flush what is older than the window (50 ms by default). */
export class LiveTimelineMerger extends TimestampMerger<ContainerFrame> {
  constructor(emit: (frame: ContainerFrame) => void, windowMicros = 50_000) {
    super(emit, windowMicros);
  }
}
