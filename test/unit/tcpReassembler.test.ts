/** TCP reassembly: what a consumer of a stream (TLS, Follow Stream) gets from segments in any order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TcpReassembler, type StreamData } from '../../src/core/stream/tcpReassembler';
import { TcpFlag, type TcpSegment } from '../../src/core/stream/tcpSegment';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function segment(fromClient: boolean, seq: number, payload: string, flags: number = TcpFlag.ACK): TcpSegment {
  return fromClient
    ? { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 443, seq: seq >>> 0, flags, payload: text(payload) }
    : { src: '10.0.0.2', dst: '10.0.0.1', srcPort: 443, dstPort: 40000, seq: seq >>> 0, flags, payload: text(payload) };
}

function collect(limits = {}): { r: TcpReassembler; out: StreamData[]; side: (s: 0 | 1) => string } {
  const out: StreamData[] = [];
  const r = new TcpReassembler((d) => out.push({ ...d, bytes: d.bytes.slice() }), limits);
  return { r, out, side: (s) => out.filter((d) => d.side === s).map((d) => (d.gapBefore ? `<gap ${d.gapBefore}>` : '') + new TextDecoder().decode(d.bytes)).join('') };
}

describe('TcpReassembler', () => {
  it('both directions in sequence order; the SYN sender is side 0; offsets count from the first byte', () => {
    const { r, out, side } = collect();
    r.add(0, segment(false, 5000, '', TcpFlag.SYN | TcpFlag.ACK)); // SYN-ACK seen first: its sender is the server
    r.add(1, segment(true, 100, 'hello ', TcpFlag.ACK));
    r.add(2, segment(false, 5001, 'HI', TcpFlag.ACK));
    r.add(3, segment(true, 106, 'world', TcpFlag.ACK));
    assert.equal(side(0), 'hello world');
    assert.equal(side(1), 'HI');
    assert.deepEqual(out.map((d) => [d.side, d.offset, d.frameIndex]), [[0, 0, 1], [1, 0, 2], [0, 6, 3]]);
    assert.deepEqual(out[0]?.stream.endpoints, ['10.0.0.1:40000', '10.0.0.2:443']);
  });

  it('retransmissions are dropped, overlaps trimmed (first copy wins), early segments wait for the hole', () => {
    const { r, out, side } = collect();
    r.add(0, segment(true, 1000, '', TcpFlag.SYN));
    r.add(1, segment(true, 1001, 'abc'));
    r.add(2, segment(true, 1001, 'abc')); // retransmission
    r.add(3, segment(true, 1008, 'hij')); // early
    r.add(4, segment(true, 1002, 'BCDEFG')); // overlaps 'bc', fills the hole up to 'h'
    r.add(5, segment(true, 1006, 'gh')); // all old
    r.add(6, segment(true, 1011, 'k'));
    assert.equal(side(0), 'abcDEFGhijk');
    assert.deepEqual(out.map((d) => d.frameIndex), [1, 4, 4, 6]);
  });

  it('sequence numbers that wrap past 2^32', () => {
    const { r, side } = collect();
    r.add(0, segment(true, 0xfffffffd, '', TcpFlag.SYN));
    r.add(1, segment(true, 0xfffffffe, 'ab'));
    r.add(2, segment(true, 0x00000001, 'de'));
    r.add(3, segment(true, 0x00000000, 'c'));
    r.add(4, segment(true, 0x00000000, 'c'));
    assert.equal(side(0), 'abcde');
  });

  it('a hole that never fills is marked as a gap (at flush, or when too much waits behind it)', () => {
    const { r, out, side } = collect({ maxHeldSegments: 2 });
    r.add(0, segment(true, 1, '', TcpFlag.SYN));
    r.add(1, segment(true, 2, 'ab'));
    r.add(2, segment(true, 10, 'X'));
    r.add(3, segment(true, 11, 'Y'));
    assert.equal(side(0), 'ab');
    r.add(4, segment(true, 12, 'Z')); // third held segment: give up on the hole
    assert.equal(side(0), 'ab<gap 6>XYZ');
    assert.deepEqual(out.map((d) => d.offset), [0, 8, 9, 10]);
    const late = collect();
    late.r.add(0, segment(true, 1, '', TcpFlag.SYN));
    late.r.add(1, segment(true, 5, 'later'));
    late.r.flush();
    assert.equal(late.side(0), '<gap 3>later');
  });

  it('a new SYN on a closed 4-tuple is a new stream; a capture joined mid-stream starts where it joins', () => {
    const { r, out } = collect();
    r.add(0, segment(true, 100, 'mid-stream'));
    r.add(1, segment(true, 110, '', TcpFlag.FIN | TcpFlag.ACK));
    r.add(2, segment(false, 900, '', TcpFlag.FIN | TcpFlag.ACK));
    r.add(3, segment(true, 7000, '', TcpFlag.SYN));
    r.add(4, segment(true, 7001, 'again'));
    assert.deepEqual(out.map((d) => [d.stream.index, d.offset, new TextDecoder().decode(d.bytes)]), [[0, 0, 'mid-stream'], [1, 0, 'again']]);
    assert.equal(r.streamCount, 2);
  });
});
