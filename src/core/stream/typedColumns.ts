/** Growable typed columns for the stream table, which keeps per-packet and per-conversation state out of objects. */

/** Entry g of a segmented table lives in segment `g >>> SEGMENT_BITS`, at `g & SEGMENT_MASK`. */
export const SEGMENT_BITS = 16;
export const SEGMENT_MASK = (1 << SEGMENT_BITS) - 1;
const SEGMENT_SIZE = 1 << SEGMENT_BITS;
/** The first segment starts small and doubles up to the full size: most captures hold a few conversations. */
const FIRST_CAPACITY = 1024;

/**
 * The segment that is to hold entry g, the next entry of a table cut in segments (the
 * conversation columns, the TCP state): a new one when g starts a segment, the first
 * one doubled (its values copied) when it is full. Later segments are made at their
 * full size, so growing never copies them.
 */
export function segmentForNext<T extends { readonly capacity: number }>(segments: T[], g: number, make: (capacity: number, from?: T) => T): T {
  const s = g >>> SEGMENT_BITS;
  const segment = segments[s];
  if (segment && (g & SEGMENT_MASK) < segment.capacity) return segment;
  const next = segment ? make(2 * segment.capacity, segment) : make(s === 0 ? FIRST_CAPACITY : SEGMENT_SIZE);
  segments[s] = next;
  return next;
}

/**
 * The bytes of a segmented table's columns: every typed array a segment holds, found by
 * reading its properties (reading them leaves the object's shape as it is), so a column
 * added to a segment is counted without a second list of them.
 */
export function segmentBytes(segments: readonly object[]): number {
  let bytes = 0;
  for (const segment of segments) for (const value of Object.values(segment)) if (ArrayBuffer.isView(value)) bytes += value.byteLength;
  return bytes;
}

/** `next` (a new array) holding `old`'s values at its start when there is an `old` (a segment doubling), else as it is. */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(old: T | undefined, next: T): T {
  if (old) next.set(old);
  return next;
}

/**
 * A growable Int32 column addressed from `base` on: `base` 0 makes it a plain list of
 * integers; a packet-number-indexed column starts at packet 1 and drops its front as
 * the packet store (a ring) forgets its oldest packets.
 */
export class IntColumn {
  private values = new Int32Array(1024);
  /** The index of `values[0]`. */
  private base: number;
  /** Values held: indices base .. base + length - 1. */
  length = 0;

  constructor(private readonly firstIndex = 0) {
    this.base = firstIndex;
  }

  get byteLength(): number {
    return this.values.byteLength;
  }

  /** The value at `index`, -1 outside the column. */
  get(index: number): number {
    const i = index - this.base;
    return i >= 0 && i < this.length ? (this.values[i] ?? -1) : -1;
  }

  /** Makes room for `count` more values at once (update() knows how many packets it will read). */
  reserve(count: number): void {
    if (this.length + count <= this.values.length) return;
    // At least doubling, so that a live capture's many small updates stay linear.
    const next = new Int32Array(Math.max(this.length + count, this.values.length * 2));
    next.set(this.values.subarray(0, this.length));
    this.values = next;
  }

  push(value: number): void {
    if (this.length === this.values.length) this.reserve(1);
    this.values[this.length++] = value;
  }

  clear(): void {
    this.base = this.firstIndex;
    this.length = 0;
  }

  /** Forgets indices below `first` when that frees at least half the column (copying less often). */
  trim(first: number): void {
    const drop = first - this.base;
    if (drop <= 0 || drop < this.length / 2) return;
    this.values.copyWithin(0, Math.min(drop, this.length), this.length);
    this.length = Math.max(0, this.length - drop);
    this.base = first;
  }
}
