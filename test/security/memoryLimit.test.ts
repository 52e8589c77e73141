/**
 * A capture far past the in-memory packet limit (unit level: the extension's
 * FrameStore, fed frame batches the way the helper sends them): memory stays
 * flat, the count of dropped packets is what a user is told, and the newest
 * packets are the ones kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import { FrameStore } from '../../src/extension/capture/frameStore';

describe('past the in-memory packet limit', () => {
  it('1,000,000 frames into a 10,007-frame store: memory flat, drops counted, newest kept', () => {
    // Not a multiple of the 1000-frame batches: the store must cut inside a
    // batch to hold exactly the limit, not drop whole batches only.
    const limit = 10_007;
    const store = new FrameStore(limit);
    const data = new Uint8Array(120).fill(0xab);
    const heapAt: number[] = [];
    // Every record is the same size: a batch of one gives it.
    const one = new FrameBatchWriter();
    one.add({ tsSec: 0, tsUsec: 0, originalLength: 120, linkType: 1, direction: 'in', interfaceName: 'eth0', data });
    const recordBytes = one.take().length;
    let seq = 0;
    for (let b = 0; b < 1000; b++) {
      const w = new FrameBatchWriter();
      for (let i = 0; i < 1000; i++) w.add({ tsSec: seq++, tsUsec: 0, originalLength: 120, linkType: 1, direction: 'in', interfaceName: 'eth0', data });
      store.append(w.take());
      if (b === 100 || b === 999) {
        global.gc?.();
        heapAt.push(process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
      }
    }
    assert.equal(store.received, 1_000_000);
    // Exactly the limit: not "about" it (a store that kept up to a batch more
    // would hold 10 % more than the user set at this batch size).
    assert.equal(store.size, limit);
    assert.equal(store.droppedFromMemory, 1_000_000 - limit);
    // byteLength counts each record plus its 4-byte offset (frameStore.ts: what the byte budget bounds).
    assert.equal(store.byteLength, limit * (recordBytes + 4), 'the bytes of exactly `limit` records');
    const frames = [...store.frames()];
    assert.equal(frames.length, limit);
    assert.equal(frames[frames.length - 1]?.frame.tsSec, 999_999, 'the newest packet is kept');
    assert.equal(frames[0]?.frame.tsSec, 1_000_000 - limit, 'the oldest kept is the one right after the last dropped');
    assert.equal(frames[0]?.number, 1_000_000 - limit + 1, 'packet numbers continue past the dropped ones');
    // 900,000 more frames after the first measurement cost no lasting memory (allowing GC slack).
    const [early, late] = heapAt as [number, number];
    assert.ok(late - early < 40 * 1024 * 1024, `memory grew by ${((late - early) / 1048576).toFixed(1)} MiB`);
  });
});
