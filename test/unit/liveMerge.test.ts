/**
 * The live merge of a capture's pipelines (src/core/liveMerge.ts), its
 * lateness window and the batching pacer of the helper and the helper
 * container path: frames from several pipelines come out in capture-time
 * order, a frame that arrives late but within the window still lands before
 * later ones, frames are released early only when every pipeline is past
 * them, the pacer sends a lone frame at once but batches a burst, and the
 * webview forwarder keeps its short interval only while traffic is light.
 * The clock is the test's own; the only real waits are for the timers the
 * code sets, and nothing is asserted about how long anything took.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlushPacer } from '../../src/core/flushPacer';
import { BatchForwarder } from '../../src/extension/capture/batchForwarder';
import { LatenessWindow } from '../../src/core/latenessWindow';
import { LiveMerge } from '../../src/core/liveMerge';

interface Frame {
  tsSec: number;
  tsUsec: number;
  name: string;
}

const at = (micros: number, name: string): Frame => ({ tsSec: Math.floor(micros / 1e6), tsUsec: micros % 1e6, name });
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('lateness window', () => {
  it('stays at its floor while frames arrive on time, widens with late ones, never past its ceiling', () => {
    const w = new LatenessWindow({ minMicros: 5_000, maxMicros: 40_000 });
    const t0 = 1_000_000_000_000;
    w.observe(t0 - 500, t0);
    assert.equal(w.windowMicros(t0), 5_000);
    w.observe(t0 - 10_000, t0 + 100);
    assert.ok(w.windowMicros(t0 + 100) >= 15_000, 'a frame 10 ms late widens the window past 10 ms with a margin');
    w.observe(t0 - 500_000, t0 + 200);
    assert.equal(w.windowMicros(t0 + 200), 40_000);
  });

  it('forgets lateness after two quiet seconds', () => {
    const w = new LatenessWindow({ minMicros: 5_000, maxMicros: 40_000 });
    const t0 = 1_000_000_000_000;
    w.observe(t0 - 30_000, t0);
    assert.ok(w.windowMicros(t0 + 1_500_000) > 5_000, 'still remembered in the next second');
    assert.equal(w.windowMicros(t0 + 2_100_000), 5_000);
  });
});

describe('live merge of pipelines', () => {
  it('puts a late frame from a slower pipeline before later frames of a faster one', async () => {
    let now = 10_000_000;
    const out: string[] = [];
    const merge = new LiveMerge<Frame>((f) => out.push(f.name), 2, new LatenessWindow({ minMicros: 20_000, maxMicros: 40_000 }), () => now);
    try {
      merge.push(0, at(now - 1_000, 'eth0 c'));
      await turn();
      assert.deepEqual(out, [], 'held: the other pipeline may still deliver an earlier frame');
      now += 500;
      // Captured earlier, delivered later by the other tcpdump.
      merge.push(1, at(now - 4_000, 'lo a'));
      merge.push(1, at(now - 3_000, 'lo b'));
      now += 60_000;
      await sleep(60);
      assert.deepEqual(out, ['lo a', 'lo b', 'eth0 c']);
    } finally {
      merge.dispose();
    }
  });

  it('releases frames at once when every pipeline has delivered a later one', async () => {
    const now = 10_000_000;
    const out: string[] = [];
    // A window far longer than the test: only "every pipeline is past it" can release a frame.
    const merge = new LiveMerge<Frame>((f) => out.push(f.name), 2, new LatenessWindow({ minMicros: 60_000_000, maxMicros: 60_000_000 }), () => now);
    try {
      merge.push(0, at(100, 'eth0 1'));
      merge.push(0, at(300, 'eth0 3'));
      await turn();
      assert.deepEqual(out, [], 'lo has said nothing yet: its next frame may be earlier');
      merge.push(1, at(200, 'lo 2'));
      await turn();
      assert.deepEqual(out, ['eth0 1', 'lo 2'], 'both pipelines are past 200 µs; eth0 3 waits for lo');
      merge.push(1, at(400, 'lo 4'));
      await turn();
      assert.deepEqual(out, ['eth0 1', 'lo 2', 'eth0 3']);
      merge.flushAll();
      assert.deepEqual(out, ['eth0 1', 'lo 2', 'eth0 3', 'lo 4'], 'the end of the capture emits everything, in order');
    } finally {
      merge.dispose();
    }
  });

  it('keeps arrival order for equal timestamps', () => {
    const out: string[] = [];
    const merge = new LiveMerge<Frame>((f) => out.push(f.name), 2, undefined, () => 0);
    merge.push(1, at(500, 'first'));
    merge.push(0, at(500, 'second'));
    merge.push(0, at(400, 'earlier'));
    merge.flushAll();
    merge.dispose();
    assert.deepEqual(out, ['earlier', 'first', 'second']);
  });
});

describe('flush pacer', () => {
  it('sends a lone frame after the current read, then batches what comes within the gap', async () => {
    let sent = 0;
    let waiting = 0;
    // The test's clock stands still: a gap is never over by itself, only its timer ends it.
    const pacer = new FlushPacer(
      () => {
        const n = waiting;
        if (n > 0) sent++;
        waiting = 0;
        return n;
      },
      { lightGapMs: 30, loadedGapMs: 60_000, lightFrames: 4 },
      () => 1_000,
    );
    const add = (): void => {
      waiting++;
      pacer.poke();
    };
    try {
      add();
      add();
      assert.equal(sent, 0, 'frames of the same read join the batch');
      await turn();
      assert.equal(sent, 1, 'a quiet pipeline sends at once');
      add();
      add();
      add();
      await turn();
      assert.equal(sent, 1, 'within the gap the frames wait');
      await sleep(90);
      assert.equal(sent, 2, 'and go together when the short gap (a small batch before) is over');
      for (let i = 0; i < 5; i++) add();
      await sleep(90);
      assert.equal(sent, 3, 'a batch of 5 (more than 4) went after the short gap too');
      add();
      await sleep(90);
      assert.equal(sent, 3, 'but after that large batch the long gap applies');
    } finally {
      pacer.dispose();
    }
  });

  it('sends nothing once disposed', async () => {
    let calls = 0;
    const pacer = new FlushPacer(() => ++calls, { lightGapMs: 5, loadedGapMs: 5, lightFrames: 1 });
    pacer.poke();
    pacer.dispose();
    await sleep(20);
    assert.equal(calls, 0);
  });
});

describe('webview forwarder pace', () => {
  it('follows light traffic at the short interval and a flood at the long one', async () => {
    const sent: number[] = [];
    const forwarder = new BatchForwarder((_batches, bytes) => sent.push(bytes), 60_000, { light: { intervalMs: 20, belowBytes: 1000 } });
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && sent.length < n; i++) await sleep(10);
    };
    try {
      forwarder.push(new Uint8Array(100));
      await until(1);
      assert.deepEqual(sent, [100], 'the first frames after a quiet spell go at once');
      forwarder.push(new Uint8Array(100));
      await until(2);
      assert.deepEqual(sent, [100, 100], 'after a small message the next follows at the short interval, not the minute');
      forwarder.push(new Uint8Array(5000));
      await until(3);
      forwarder.push(new Uint8Array(100));
      await sleep(100);
      assert.deepEqual(sent, [100, 100, 5000], 'after a large message the normal interval applies again');
    } finally {
      forwarder.dispose();
    }
  });
});
