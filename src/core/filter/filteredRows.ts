/**
 * The packets a display filter lets through, as a sorted list of packet
 * numbers. Numbers (not rows) stay valid while the store drops its oldest
 * packets; new packets are filtered as they arrive, old ones are not re-run.
 */
import type { PacketStore } from '../packetStore';
import type { PacketPredicate } from './compile';

export class FilteredRows {
  private predicate: PacketPredicate | undefined;
  private numbers = new Uint32Array(1024);
  private start = 0;
  private end = 0;
  /** Next packet number to evaluate. */
  private nextNumber = 1;

  constructor(private readonly store: PacketStore) {}

  get active(): boolean {
    return this.predicate !== undefined;
  }

  /** Replaces the filter and evaluates every packet held. */
  setPredicate(predicate: PacketPredicate | undefined): void {
    this.predicate = predicate;
    this.start = 0;
    this.end = 0;
    this.nextNumber = this.store.firstNumber;
    this.update();
  }

  /** Evaluates packets appended since the last call and forgets dropped ones. */
  update(): void {
    const store = this.store;
    const first = store.firstNumber;
    if (this.nextNumber < first) this.nextNumber = first;
    const predicate = this.predicate;
    if (predicate) {
      const endNumber = first + store.size;
      let row = this.nextNumber - first;
      for (let n = this.nextNumber; n < endNumber; n++, row++) {
        if (predicate(store.columns, store.slot(row), n)) this.push(n);
      }
      this.nextNumber = endNumber;
      // Drop numbers of packets no longer held (they are the oldest, at the front).
      if (this.start < this.end && (this.numbers[this.start] ?? 0) < first) this.start = this.lowerBound(first);
    } else {
      this.nextNumber = first + store.size;
    }
  }

  /** Call after `store.clear()`. */
  reset(): void {
    this.start = 0;
    this.end = 0;
    this.nextNumber = this.store.firstNumber;
  }

  get length(): number {
    return this.predicate ? this.end - this.start : this.store.size;
  }

  /** Packet number of the i-th visible row. */
  numberAt(index: number): number {
    return this.predicate ? (this.numbers[this.start + index] ?? 0) : this.store.firstNumber + index;
  }

  /** Visible index of a packet number, or -1 when it is not shown. */
  indexOf(packetNumber: number): number {
    if (!this.predicate) return this.store.rowOf(packetNumber);
    const i = this.lowerBound(packetNumber);
    return i < this.end && this.numbers[i] === packetNumber ? i - this.start : -1;
  }

  /** Visible index of the first row whose number is >= packetNumber (length when none). */
  indexAtOrAfter(packetNumber: number): number {
    if (!this.predicate) return Math.max(0, Math.min(this.store.size, packetNumber - this.store.firstNumber));
    return this.lowerBound(packetNumber) - this.start;
  }

  /** The visible packets' numbers (a copy). */
  toArray(): Uint32Array {
    if (this.predicate) return this.numbers.slice(this.start, this.end);
    const all = new Uint32Array(this.store.size);
    for (let i = 0; i < all.length; i++) all[i] = this.store.firstNumber + i;
    return all;
  }

  private push(n: number): void {
    if (this.end === this.numbers.length) {
      const live = this.end - this.start;
      // Compact first when most of the buffer is dropped numbers; grow otherwise.
      const target = live * 2 < this.numbers.length ? this.numbers : new Uint32Array(this.numbers.length * 2);
      if (target === this.numbers) this.numbers.copyWithin(0, this.start, this.end);
      else target.set(this.numbers.subarray(this.start, this.end));
      this.numbers = target;
      this.start = 0;
      this.end = live;
    }
    this.numbers[this.end++] = n;
  }

  private lowerBound(n: number): number {
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.numbers[mid] ?? 0) < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
