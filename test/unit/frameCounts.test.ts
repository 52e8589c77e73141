/**
 * Bench 3 judges scrolling by the frames Chromium's compositor drew, partly
 * drew or dropped (test/webview/frameCounts.ts). Events shaped as Chromium
 * 156 writes them in a DevTools-protocol trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countFrames, type TraceEvent } from '../webview/frameCounts';

const VSYNC_US = 16_667;
const CAT = 'disabled-by-default-devtools.timeline.frame';

/** One tick of the compositor's clock and what became of it. */
function tick(seq: number, outcome: 'drawn' | 'dropped' | 'partial' | 'idle', layerTreeId = 2): TraceEvent[] {
  const ts = 1_000_000 + seq * VSYNC_US;
  const args = { frameSeqId: seq, layerTreeId };
  const events: TraceEvent[] = [{ name: 'BeginFrame', cat: CAT, ph: 'I', ts, args }];
  if (outcome === 'drawn') events.push({ name: 'DrawFrame', cat: CAT, ph: 'I', ts: ts + 9000, args });
  if (outcome === 'dropped') events.push({ name: 'DroppedFrame', cat: CAT, ph: 'I', ts, args: { ...args, hasPartialUpdate: false } });
  if (outcome === 'partial') {
    events.push({ name: 'DroppedFrame', cat: CAT, ph: 'I', ts, args: { ...args, hasPartialUpdate: true } });
    events.push({ name: 'DrawFrame', cat: CAT, ph: 'I', ts: ts + 9000, args });
  }
  return events;
}

test('idle ticks are not frames; a dropped tick keeps the frame before it on screen one vsync longer', () => {
  const outcomes = ['idle', 'idle', ...Array<'drawn'>(17).fill('drawn'), 'dropped', 'dropped', 'drawn', 'partial', 'idle'] as const;
  const counts = countFrames(outcomes.flatMap((o, i) => tick(i, o)));
  assert.equal(counts.frames, 21);
  assert.equal(counts.presented, 18);
  assert.equal(counts.dropped, 2);
  assert.equal(counts.partial, 1);
  assert.equal(Math.round(counts.vsyncMs * 10) / 10, 16.7);
  // The 17th drawn frame stayed 3 vsyncs: the worst; 19 frames shown, the p95 one is that one too.
  assert.equal(Math.round(counts.worstFrameMs), 50);
  assert.equal(Math.round(counts.p95FrameMs), 50);
  // Counting the partial frame as stale content: the frame before it stayed two vsyncs, the 17th still three.
  assert.equal(Math.round(counts.worstContentFrameMs), 50);
});

test('partial frames: drawn, but the rows they show are the previous frame\'s', () => {
  const outcomes = ['drawn', 'partial', 'drawn', 'partial', 'partial', 'drawn'] as const;
  const counts = countFrames(outcomes.flatMap((o, i) => tick(i, o)));
  assert.deepEqual([counts.frames, counts.presented, counts.partial, counts.dropped], [6, 3, 3, 0]);
  assert.equal(Math.round(counts.worstFrameMs * 10), 167);
  assert.equal(Math.round(counts.worstContentFrameMs), 50);
});

test('a steady scroll with every frame drawn: p95 and worst are one vsync, nothing dropped', () => {
  const counts = countFrames(Array.from({ length: 60 }, (_, i) => tick(i, 'drawn')).flat());
  assert.deepEqual([counts.frames, counts.dropped, counts.partial, counts.droppedPercent], [60, 0, 0, 0]);
  assert.equal(Math.round(counts.p95FrameMs * 10), 167);
});

test('only the window asked for counts, and only the layer tree with the most ticks (the page)', () => {
  const page = Array.from({ length: 30 }, (_, i) => tick(i, i < 10 ? 'dropped' : 'drawn')).flat();
  const other = Array.from({ length: 5 }, (_, i) => tick(i, 'dropped', 7)).flat();
  const counts = countFrames([...page, ...other], 1_000_000 + 10 * VSYNC_US, Infinity);
  assert.deepEqual([counts.frames, counts.dropped], [20, 0]);
});
