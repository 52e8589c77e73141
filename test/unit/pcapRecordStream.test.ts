/**
 * The handover's record stream (src/client/helperContainer/pcapRecordStream.ts): two
 * tcpdumps' pcap streams, cut in arbitrary chunks, joined at a record boundary with
 * each packet once; and a standby's stream held beside the one passed on
 * (standbyRecords.ts) until it takes over. The joined bytes are read back with the project's pcap reader.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PcapRecordStream } from '../../src/client/helperContainer/pcapRecordStream';
import { StandbyRecords } from '../../src/client/helperContainer/standbyRecords';
import { PcapStreamReader } from '../../src/core/pcap/pcapReader';
import { pcapGlobalHeader } from '../../src/core/pcap/pcapWriter';
import { LinkType } from '../../src/core/packet';

/** A packet: its number is its timestamp (µs) and its payload, so a reader can tell which one it is. */
function record(n: number, length: number, littleEndian = true): Uint8Array {
  const out = new Uint8Array(16 + length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 1_700_000_000 + Math.floor(n / 1_000_000), littleEndian);
  view.setUint32(4, n % 1_000_000, littleEndian);
  view.setUint32(8, length, littleEndian);
  view.setUint32(12, length, littleEndian);
  for (let i = 0; i < length; i++) out[16 + i] = (n + i) & 0xff;
  return out;
}

function stream(numbers: number[], seed: number): Uint8Array {
  return Buffer.concat([pcapGlobalHeader(LinkType.ETHERNET), ...numbers.map((n, i) => record(n, 1 + ((n * 7 + i + seed) % 300)))]);
}

/** Cuts bytes in chunks of 1 to `max` bytes, by a seeded generator. */
function chunks(bytes: Uint8Array, seed: number, max: number): Uint8Array[] {
  let x = seed;
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    const n = 1 + ((x >>> 8) % max);
    out.push(bytes.slice(o, o + n));
    o += n;
  }
  return out;
}

/** Packet numbers (timestamps in µs) of a pcap stream, checked byte for byte. */
function packetsOf(bytes: Uint8Array): number[] {
  const reader = new PcapStreamReader();
  const result = reader.push(bytes);
  assert.equal(result.error, undefined);
  assert.equal(reader.end(), undefined, 'the joined stream ends at a record boundary');
  return result.records.map((r) => {
    const n = (r.tsSec - 1_700_000_000) * 1_000_000 + r.tsUsec;
    for (let i = 0; i < r.data.length; i++) assert.equal(r.data[i], (n + i) & 0xff, `packet ${n} byte ${i}`);
    return n;
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('handover record stream', () => {
  it('passes a stream whole, in any chunking, only at record boundaries', () => {
    const bytes = stream(range(1, 400), 1);
    for (const max of [1, 7, 40, 1000, 100_000]) {
      const s = new PcapRecordStream(true);
      const passed: Uint8Array[] = [];
      for (const [k, c] of chunks(bytes, max, max).entries()) {
        s.push(c, (p) => passed.push(p.slice()));
        // What is passed so far always ends at a record boundary.
        if (k % 97 === 0) {
          const reader = new PcapStreamReader();
          assert.equal(reader.push(Buffer.concat(passed)).error, undefined);
          if (passed.length > 0) assert.equal(reader.end(), undefined);
        }
      }
      assert.deepEqual(packetsOf(Buffer.concat(passed)), range(1, 400));
      assert.equal(s.records, 400);
      assert.equal(s.passed, 400);
      assert.equal(s.lastSec, 1_700_000_000);
      assert.equal(s.lastFraction, 400);
    }
  });

  it('joins an old tcpdump cut anywhere and a successor that overlaps it: each packet once, in order', () => {
    // The old tcpdump saw packets 1..300; the successor started at 120 and saw 120..500.
    const old = stream(range(1, 300), 2);
    const successor = stream(range(120, 500), 3);
    for (let trial = 0; trial < 60; trial++) {
      const max = [3, 16, 17, 64, 500, 4096][trial % 6]!;
      const oldChunks = chunks(old, trial + 11, max);
      const cutAfter = trial % oldChunks.length;
      const passed: Uint8Array[] = [];
      const a = new PcapRecordStream(true);
      for (const c of oldChunks.slice(0, cutAfter + 1)) a.push(c, (p) => passed.push(p.slice()));
      // The handover: the old stream's last whole packet is the cut.
      const b = new PcapRecordStream(false);
      if (a.lastSec >= 0) b.dropThrough(a.lastSec, a.lastFraction);
      const last = a.lastSec < 0 ? 0 : a.lastFraction;
      if (!a.globalHeaderPassed) b.passOwnGlobalHeader();
      a.retire();
      for (const c of oldChunks.slice(cutAfter + 1)) a.push(c, () => assert.fail('a retired stream passes nothing'));
      for (const c of chunks(successor, trial + 99, max)) b.push(c, (p) => passed.push(p.slice()));
      const got = packetsOf(Buffer.concat(passed));
      // Up to the cut from the old tcpdump; then the successor's from the next packet on.
      const expected = last >= 120 ? range(1, 500) : [...range(1, last), ...range(120, 500)];
      assert.deepEqual(got, expected, `chunks of up to ${max}, cut after chunk ${cutAfter} (last ${last})`);
      assert.equal(b.dropped, Math.max(0, last - 119), 'the successor drops what the old one passed');
      assert.equal(a.passed, last, 'the retired stream counts what it passed, not what came after');
      assert.equal(a.isRetired, true);
    }
  });

  it('at a timestamp shared by several packets, drops only as many as the old tcpdump passed', () => {
    // Packets 1, 2, then three in the same microsecond (3a, 3b, 3c), then 4. The old
    // tcpdump passed 1, 2, 3a, 3b; 3c was still under way when it was retired.
    const tagged = (us: number, tag: number): Uint8Array => {
      const r = record(us, 4);
      r[16] = tag;
      return r;
    };
    const a = new PcapRecordStream(true);
    const passed: Uint8Array[] = [];
    const partial = tagged(3, 0xc3).subarray(0, 10);
    a.push(Buffer.concat([stream([], 0), tagged(1, 1), tagged(2, 2), tagged(3, 0xa3), tagged(3, 0xb3), partial]), (p) => passed.push(p.slice()));
    assert.equal(a.lastCount, 2);
    const b = new PcapRecordStream(false);
    b.dropThrough(a.lastSec, a.lastFraction, a.lastCount);
    a.retire();
    b.push(Buffer.concat([stream([], 0), tagged(3, 0xa3), tagged(3, 0xb3), tagged(3, 0xc3), tagged(4, 4)]), (p) => passed.push(p.slice()));
    const records = new PcapStreamReader().push(Buffer.concat(passed)).records;
    assert.deepEqual(records.map((r) => r.data[0]), [1, 2, 0xa3, 0xb3, 0xc3, 4]);
    assert.equal(b.dropped, 2);
  });

  it('a standby held beside a stream that lost packets takes over at any moment: each packet once, in order, every record accounted for', () => {
    // The per-packet tcpdump saw 1..400 but the kernel dropped 150..170 for it; the block
    // writer standing by started at 50 and saw 50..600. Their chunks interleave at random.
    const seenByOld = range(1, 400).filter((n) => n < 150 || n > 170);
    const old = stream(seenByOld, 5);
    const standby = stream(range(50, 600), 6);
    for (let trial = 0; trial < 80; trial++) {
      const max = [5, 16, 33, 300, 5000][trial % 5]!;
      const oldChunks = chunks(old, trial + 21, max);
      const standbyChunks = chunks(standby, trial + 77, max);
      const takeOverAt = (trial * 7) % oldChunks.length;
      const a = new PcapRecordStream(true);
      const held = new StandbyRecords();
      const passed: Uint8Array[] = [];
      let x = trial + 1;
      let s = 0;
      for (const c of oldChunks.slice(0, takeOverAt + 1)) {
        a.push(c, (p) => passed.push(p.slice()));
        // The standby's chunks come as they come: none, one or several per chunk of the old.
        x = (x * 1103515245 + 12345) >>> 0;
        for (let k = (x >>> 8) % 3; k > 0 && s < standbyChunks.length; k--) held.push(standbyChunks[s++]!, a.lastSec >= 0 ? { sec: a.lastSec, fraction: a.lastFraction } : undefined);
      }
      // The take-over, as CaptureHandover's goOnWithNext does it: what the standby still holds
      // from before the last packet passed goes through the cut.
      const b = new PcapRecordStream(false);
      if (a.lastSec >= 0) b.dropThrough(a.lastSec, a.lastFraction, a.lastCount);
      if (!a.globalHeaderPassed) b.passOwnGlobalHeader();
      const last = a.lastSec < 0 ? 0 : a.lastFraction;
      a.retire();
      for (const c of held.drain()) b.push(c, (p) => passed.push(p.slice()));
      for (const c of standbyChunks.slice(s)) b.push(c, (p) => passed.push(p.slice()));
      const expected = [...seenByOld.filter((n) => n <= last), ...range(Math.max(50, last + 1), 600)];
      assert.deepEqual(packetsOf(Buffer.concat(passed)), expected, `chunks of up to ${max}, taking over after chunk ${takeOverAt} (last ${last})`);
      // Every record of the standby was let go, dropped at the cut or passed.
      const passedByStandby = 600 - Math.max(50, last + 1) + 1;
      assert.equal(held.letGo + b.dropped + passedByStandby, 551, 'the standby accounts for each of its records');
    }
  });

  it('reads big-endian pcap from an engine on another byte order', () => {
    const header = pcapGlobalHeader(LinkType.ETHERNET);
    const be = new Uint8Array(24);
    const view = new DataView(be.buffer);
    const src = new DataView(header.buffer, header.byteOffset, header.byteLength);
    view.setUint32(0, src.getUint32(0, true), false);
    view.setUint16(4, src.getUint16(4, true), false);
    view.setUint16(6, src.getUint16(6, true), false);
    view.setUint32(16, src.getUint32(16, true), false);
    view.setUint32(20, src.getUint32(20, true), false);
    const b = new PcapRecordStream(false);
    b.dropThrough(1_700_000_000, 5);
    const passed: Uint8Array[] = [];
    for (const n of range(1, 9)) b.push(n === 1 ? Buffer.concat([be, record(n, 10, false)]) : record(n, 10, false), (p) => passed.push(p.slice()));
    assert.equal(b.dropped, 5);
    assert.equal(passed.reduce((a, p) => a + p.length, 0), 4 * 26);
  });

  it('calls a stream broken at a record length no tcpdump writes, and passes nothing after it', () => {
    const s = new PcapRecordStream(true);
    const bad = record(2, 4);
    new DataView(bad.buffer).setUint32(8, 0x7fffffff, true);
    const passed: Uint8Array[] = [];
    s.push(Buffer.concat([stream([1], 0), bad, record(3, 4)]), (p) => passed.push(p.slice()));
    assert.equal(s.isBroken, true);
    assert.deepEqual(packetsOf(Buffer.concat(passed)), [1]);
  });
});
