/**
 * The filtered rows in the order of the sorted column (or in arrival order
 * when nothing is sorted), for the list. A sort is a snapshot of the packet
 * numbers; while a capture runs, packets that arrived since are shown after
 * it in arrival order, and the snapshot is taken again at most once a second
 * (a sort of a million rows takes a noticeable moment: not on every batch).
 */
import type { FilteredRows } from '../src/core/filter/filteredRows';
import { sortPacketNumbers, type PacketSort } from '../src/core/sortPackets';

const RESORT_INTERVAL_MS = 1000;

export class SortedRows {
  private sort: PacketSort | undefined;
  private valueOf: (packetNumber: number) => number | string = (n) => n;
  private order: Uint32Array | undefined;
  private position = new Map<number, number>();
  private sortedAt = 0;
  private sortedFirst = 0;

  constructor(private rows: FilteredRows) {}

  get current(): PacketSort | undefined {
    return this.sort;
  }

  /** Another filter result (a new filter or a new store): the sort applies to it. */
  setRows(rows: FilteredRows): void {
    this.rows = rows;
    this.order = undefined;
  }

  setSort(sort: PacketSort | undefined, valueOf: (packetNumber: number) => number | string): void {
    this.sort = sort;
    this.valueOf = valueOf;
    this.order = undefined;
  }

  /**
   * The rows changed (new packets, a filter, a clear, names): sort again, now
   * (`force`) or once a second has passed since the last sort. True when the
   * order changed (the list must refill its rows).
   */
  refresh(force = false): boolean {
    if (!this.sort) return false;
    const stale = force || !this.order || this.order.length !== this.rows.length || this.rows.numberAt(0) !== this.sortedFirst;
    if (!stale) return false;
    if (!force && this.order && Date.now() - this.sortedAt < RESORT_INTERVAL_MS) return false;
    this.order = sortPacketNumbers(this.rows.toArray(), this.valueOf, this.sort.direction);
    this.position = new Map();
    for (let i = 0; i < this.order.length; i++) this.position.set(this.order[i] ?? 0, i);
    this.sortedAt = Date.now();
    this.sortedFirst = this.rows.numberAt(0);
    return true;
  }

  get length(): number {
    return this.rows.length;
  }

  numberAt(index: number): number {
    const order = this.sort ? this.order : undefined;
    if (!order || index >= order.length) return this.rows.numberAt(index);
    return order[index] ?? 0;
  }

  indexOf(packetNumber: number): number {
    const order = this.sort ? this.order : undefined;
    if (!order) return this.rows.indexOf(packetNumber);
    const at = this.position.get(packetNumber);
    if (at !== undefined) return at;
    // Arrived after the snapshot: shown after it, in arrival order.
    const index = this.rows.indexOf(packetNumber);
    return index >= order.length ? index : -1;
  }

  indexAtOrAfter(packetNumber: number): number {
    if (!this.sort || !this.order) return this.rows.indexAtOrAfter(packetNumber);
    return Math.max(0, this.indexOf(packetNumber));
  }
}
