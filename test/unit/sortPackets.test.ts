/** Sorting the packet list by a column, as a Wireshark header click does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSort, sortPacketNumbers } from '../../src/core/sortPackets';

const sources: Record<number, string> = { 1: '172.17.0.10', 2: '172.17.0.9', 3: 'web', 4: '172.17.0.9', 5: 'client' };
const lengths: Record<number, number> = { 1: 60, 2: 1514, 3: 60, 4: 74, 5: 54 };

test('addresses and names sort as people read them; equal values keep packet order', () => {
  assert.deepEqual([...sortPacketNumbers([1, 2, 3, 4, 5], (n) => sources[n] ?? '', 'ascending')], [2, 4, 1, 5, 3]);
  assert.deepEqual([...sortPacketNumbers([1, 2, 3, 4, 5], (n) => sources[n] ?? '', 'descending')], [3, 5, 1, 2, 4], 'descending; ties still by number');
});

test('numbers sort numerically (Length), and only the packets given (a filtered list) are sorted', () => {
  assert.deepEqual([...sortPacketNumbers([1, 2, 3, 4, 5], (n) => lengths[n] ?? 0, 'ascending')], [5, 1, 3, 4, 2]);
  assert.deepEqual([...sortPacketNumbers(Uint32Array.from([2, 3, 5]), (n) => lengths[n] ?? 0, 'descending')], [2, 3, 5]);
  assert.deepEqual([...sortPacketNumbers([], () => 0, 'ascending')], []);
});

test('a header click sorts ascending, then descending, then back to arrival order', () => {
  const first = nextSort(undefined, 'length');
  assert.deepEqual(first, { column: 'length', direction: 'ascending' });
  const second = nextSort(first, 'length');
  assert.deepEqual(second, { column: 'length', direction: 'descending' });
  assert.equal(nextSort(second, 'length'), undefined);
  assert.deepEqual(nextSort(second, 'source'), { column: 'source', direction: 'ascending' }, 'another column starts ascending');
});
