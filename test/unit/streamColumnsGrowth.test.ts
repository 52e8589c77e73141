/**
 * The stream table's columns keep every value across growth: an IntColumn reserved for a
 * whole file at once or grown by many small live updates, after its front was trimmed, and
 * conversation columns through the first segment's doubling and across segments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConversationColumns, SEGMENT_BITS, SEGMENT_MASK } from '../../src/core/stream/conversationColumns';
import { IntColumn } from '../../src/core/stream/typedColumns';

test('an IntColumn keeps its values through reserve, small pushes and a trimmed front', () => {
  const column = new IntColumn(1);
  for (let i = 1; i <= 3000; i++) column.push(i * 7);
  column.trim(2001);
  column.reserve(5);
  for (let i = 3001; i <= 3005; i++) column.push(i * 7);
  column.reserve(100_000);
  for (let i = 3006; i <= 103_005; i++) column.push(i * 7);
  assert.equal(column.get(2000), -1, 'a trimmed packet is forgotten');
  for (const i of [2001, 2500, 3000, 3001, 3005, 3006, 50_000, 103_005]) assert.equal(column.get(i), i * 7, `packet ${i}`);
  assert.equal(column.get(103_006), -1);
});

test('conversation columns keep every conversation through the first segment\'s doubling and across segments', () => {
  const conv = new ConversationColumns();
  const count = (1 << SEGMENT_BITS) * 5 + 3;
  for (let i = 0; i < count; i++) {
    const g = conv.add();
    assert.equal(g, i);
    const segment = conv.segment(g);
    segment.index[g & SEGMENT_MASK] = i;
    segment.portA[g & SEGMENT_MASK] = i & 0xffff;
    segment.bytesAtoB[g & SEGMENT_MASK] = i * 1500;
  }
  assert.equal(conv.segments.length, 6);
  for (const g of [0, 1023, 1024, 65_535, 65_536, 262_143, count - 1]) {
    const segment = conv.segment(g);
    assert.equal(segment.index[g & SEGMENT_MASK], g);
    assert.equal(segment.portA[g & SEGMENT_MASK], g & 0xffff);
    assert.equal(segment.bytesAtoB[g & SEGMENT_MASK], g * 1500);
  }
  assert.throws(() => conv.segment(6 << SEGMENT_BITS), /no conversation/);
});
