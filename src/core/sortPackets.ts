/**
 * The packet list sorted by a column, as a click on a Wireshark column header
 * does: packet numbers ordered by the column's value, ties (and equal values)
 * in packet-number order, so a sort is stable and repeatable. Text compares as
 * people read it ("172.17.0.9" before "172.17.0.10", "web-2" before "web-10").
 * Pure: the caller says what each packet's value is.
 */
export type SortDirection = 'ascending' | 'descending';

export interface PacketSort {
  /** The column's key (ListColumn.key). */
  column: string;
  direction: SortDirection;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** `numbers` (not modified) ordered by `valueOf`; every number once. */
export function sortPacketNumbers(numbers: ArrayLike<number>, valueOf: (packetNumber: number) => number | string, direction: SortDirection): Uint32Array {
  const count = numbers.length;
  const values: (number | string)[] = new Array<number | string>(count);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    order[i] = i;
    values[i] = valueOf(numbers[i] ?? 0);
  }
  const sign = direction === 'ascending' ? 1 : -1;
  const sorted = Array.from(order).sort((a, b) => {
    const va = values[a] ?? '';
    const vb = values[b] ?? '';
    const byValue = typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
    return byValue !== 0 ? sign * byValue : (numbers[a] ?? 0) - (numbers[b] ?? 0);
  });
  const result = new Uint32Array(count);
  for (let i = 0; i < count; i++) result[i] = numbers[sorted[i] ?? 0] ?? 0;
  return result;
}

/** The next state of a header click: ascending, then descending, then unsorted (arrival order). */
export function nextSort(current: PacketSort | undefined, column: string): PacketSort | undefined {
  if (!current || current.column !== column) return { column, direction: 'ascending' };
  return current.direction === 'ascending' ? { column, direction: 'descending' } : undefined;
}
