/**
 * Follow Stream keeps each side as the pieces it arrived in (src/core/stream/sideBytes.ts)
 * and draws a large stream in blocks (webview/followText.ts): what the view reads and what
 * Save Raw writes must be the bytes of a plain concatenation, whatever the cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SideBytes } from '../../src/core/stream/sideBytes';
import { textBlocks } from '../../webview/followText';

/** Deterministic pseudo-random pieces (sizes 0..3000), and their plain concatenation. */
function pieces(count: number, seed: number): { side: SideBytes; plain: Buffer; starts: number[]; lengths: number[] } {
  let x = seed;
  const next = (): number => (x = (x * 1103515245 + 12345) >>> 0) >>> 8;
  const side = new SideBytes();
  const parts: Buffer[] = [];
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    // Some empty: their start is the next piece's too.
    const piece = Buffer.alloc(i % 17 === 5 ? 0 : next() % 3001, 0);
    for (let j = 0; j < piece.length; j++) piece[j] = next() & 0xff;
    parts.push(piece);
    starts.push(side.push(piece));
  }
  return { side, plain: Buffer.concat(parts), starts, lengths: parts.map((p) => p.length) };
}

test('a side read by range, across any number of pieces, is the concatenation of its pieces', () => {
  const { side, plain, starts, lengths } = pieces(200, 7);
  assert.equal(side.length, plain.length);
  let sum = 0;
  assert.deepEqual(starts, lengths.map((n) => (sum += n) - n), 'push says where each piece starts');
  assert.ok(lengths.includes(0), 'empty pieces among them');
  let x = 1;
  for (let k = 0; k < 500; k++) {
    x = (x * 69069 + 1) >>> 0;
    const start = x % (plain.length + 1);
    const length = (x >>> 7) % 20_000;
    assert.deepEqual(Buffer.from(side.range(start, length)), plain.subarray(start, start + length), `range(${start}, ${length})`);
  }
  assert.deepEqual(Buffer.from(side.range(plain.length - 5, 100)), plain.subarray(plain.length - 5), 'cut at the end of the side');
  assert.equal(side.range(plain.length, 10).length, 0);
  assert.deepEqual(Buffer.from(side.all()), plain, 'all() is everything');
  assert.equal(side.all(), side.all(), 'made once');
  const before = side.all();
  side.push(new Uint8Array([1, 2, 3]));
  assert.notEqual(side.all(), before, 'a piece pushed later is in the next all()');
  assert.deepEqual([...side.all().subarray(-3)], [1, 2, 3]);
});

test('an empty side reads as empty', () => {
  const side = new SideBytes();
  assert.equal(side.range(0, 10).length, 0);
  assert.equal(side.all().length, 0);
});

test('a long text is cut in blocks at line breaks near their end, else at the limit, and joins back exactly', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`).join('\n');
  const blocks = textBlocks(lines, 4096);
  assert.equal(blocks.join(''), lines);
  assert.ok(blocks.length > 10);
  for (const block of blocks.slice(0, -1)) {
    assert.ok(block.length <= 4096, `a block of ${block.length}`);
    assert.ok(block.endsWith('\n'), 'each block but the last ends a line');
    assert.ok(block.length > 3072, 'cut in its last quarter');
  }
  const binary = 'a'.repeat(10_000);
  assert.deepEqual(textBlocks(binary, 4096).map((b) => b.length), [4096, 4096, 1808], 'no line break: cut at the limit');
  assert.deepEqual(textBlocks('short', 4096), ['short']);
  assert.deepEqual(textBlocks('', 4096), ['']);
});
