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
  it('1,000,000 frames into a 10,000-frame store: memory flat, drops counted, newest kept', () => {
    const limit = 10_000;
    const store = new FrameStore(limit);
    const data = new Uint8Array(120).fill(0xab);
    const heapAt: number[] = [];
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
    assert.ok(store.size >= limit && store.size < limit + 1000, `kept ${store.size}`);
    assert.equal(store.droppedFromMemory, 1_000_000 - store.size);
    assert.ok(store.byteLength < (limit + 1000) * 150, `bytes kept ${store.byteLength}`);
    const frames = [...store.frames()];
    assert.equal(frames[frames.length - 1]?.frame.tsSec, 999_999, 'the newest packet is kept');
    assert.equal(frames[0]?.number, 1_000_000 - store.size + 1, 'packet numbers continue past the dropped ones');
    // 900,000 more frames after the first measurement cost no lasting memory (allowing GC slack).
    const [early, late] = heapAt as [number, number];
    assert.ok(late - early < 40 * 1024 * 1024, `memory grew by ${((late - early) / 1048576).toFixed(1)} MiB`);
  });
});
