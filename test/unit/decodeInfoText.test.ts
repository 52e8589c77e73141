/**
 * The TCP/UDP Info lines come from cached pieces (src/core/decode/infoText.ts); they
 * must read exactly as the plain template does, whatever the cache holds (repeats,
 * collisions, values at the edges of their ranges).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uint32Text } from '../../src/core/decode/bytes';
import { tcpInfo, udpInfo } from '../../src/core/decode/infoText';
import { TCP_FLAG_TEXT } from '../../src/core/decode/names';
import { Prng } from '../support/fuzzInputs';

const EDGES = [0, 1, 9, 10, 99, 100, 65535, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 4294967295, 4294900000, 1000000000];

function plainTcp(srcPort: number, dstPort: number, flags: number, seq: number, ack: number, window: number, length: number): string {
  return `${srcPort} → ${dstPort} ${TCP_FLAG_TEXT[flags] ?? ''} Seq=${seq}${(flags & 0x10) !== 0 ? ` Ack=${ack}` : ''} Win=${window} Len=${length}`;
}

test('cached TCP and UDP Info lines equal the plain template', () => {
  const r = new Prng(0x1f0);
  const port = (): number => (r.int(4) === 0 ? r.pick([0, 53, 80, 65535]) : r.int(65536));
  const u32 = (): number => (r.int(3) === 0 ? r.pick(EDGES) : r.int(65536) * 65536 + r.int(65536));
  for (let i = 0; i < 200_000; i++) {
    // Few distinct values half of the time, so slots are hit, missed and overwritten.
    const few = i % 2 === 0;
    const srcPort = few ? 41000 + r.int(3) : port();
    const dstPort = few ? r.pick([80, 443, 9000]) : port();
    const flags = r.int(512);
    const seq = u32();
    const ack = few ? r.pick(EDGES) : u32();
    const window = few ? 502 : r.int(65536);
    const length = few ? r.pick([0, 1448, 77]) : r.int(65536);
    assert.equal(tcpInfo(srcPort, dstPort, flags, seq, ack, window, length), plainTcp(srcPort, dstPort, flags, seq, ack, window, length));
    assert.equal(udpInfo(srcPort, dstPort, length), `${srcPort} → ${dstPort} Len=${length}`);
  }
});

test('uint32Text reads as String() at every digit-group boundary and on random numbers', () => {
  const r = new Prng(0x32);
  const values: number[] = [];
  for (let p = 1; p <= 4294967295; p *= 10) values.push(p - 1, p, p + 1);
  for (const edge of [65535, 65536, 655359999, 655360000, 4294967295, 4294967294, 0x40000000]) values.push(edge);
  for (let i = 0; i < 100_000; i++) values.push(r.int(65536) * 65536 + r.int(65536));
  // Flows' sequence numbers: consecutive segments share leading digits (cached by them), across the 2^32 wrap too.
  for (const start of [655_350_000, 1_741_702_388, 4_294_900_000]) {
    for (let k = 0; k < 5000; k++) values.push((start + k * 1448) >>> 0);
  }
  for (const n of values) assert.equal(uint32Text(n), String(n));
});
