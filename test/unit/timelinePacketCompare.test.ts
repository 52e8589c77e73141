/**
 * The byte-for-byte half of the de-duplication rule (ipPacketBytes.ts) on full-size
 * packets: copies of one packet match wherever they sit in their buffers (frames are
 * views into batches at any offset, and long payloads are compared a word at a time
 * when both are aligned alike); one changed byte anywhere outside the masked fields
 * makes them two packets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipPacketHash, sameIpPacket } from '../../src/core/timeline/ipPacketBytes';
import { asReceived, packetBytes } from './timelineFrames';

const IP = 14;
const TTL = IP + 8;
const HEADER_CHECKSUM = IP + 10;
const TCP_CHECKSUM = IP + 20 + 16;

/** `bytes` copied into a larger buffer at `offset`: a frame inside a batch. */
function inBatch(bytes: Uint8Array, offset: number): Uint8Array {
  const batch = new Uint8Array(offset + bytes.length + 7);
  batch.set(bytes, offset);
  return batch.subarray(offset, offset + bytes.length);
}

const payload = Array.from({ length: 1400 }, (_, i) => String.fromCharCode(33 + ((i * 7) % 90))).join('');
const sent = packetBytes({ src: '172.18.0.2', dst: '172.18.0.3', payload, ipId: 77, seq: 123456 });

describe('same IP packet, byte for byte', () => {
  it('copies of a 1,454-byte packet match at every pair of buffer offsets, hashes equal', () => {
    const arrived = asReceived(sent, { ttl: 63, checksum: 0xbeef });
    for (let offsetA = 0; offsetA < 8; offsetA++) {
      for (let offsetB = 0; offsetB < 8; offsetB++) {
        const a = inBatch(sent, offsetA);
        const b = inBatch(arrived, offsetB);
        assert.equal(sameIpPacket(a, IP, b, IP), true, `offsets ${offsetA}/${offsetB}`);
        assert.equal(ipPacketHash(a, IP), ipPacketHash(b, IP));
      }
    }
  });

  it('one changed byte in the headers or anywhere in the payload makes another packet, at any alignment', () => {
    const positions = [IP + 4, IP + 12, IP + 24, IP + 40, IP + 41, IP + 100, IP + 101, IP + 102, IP + 103, sent.length - 5, sent.length - 1];
    for (const at of positions) {
      for (const offsetB of [0, 1, 4, 6]) {
        const changed = sent.slice();
        changed[at] = changed[at]! ^ 0x20;
        assert.equal(sameIpPacket(inBatch(sent, 4), IP, inBatch(changed, offsetB), IP), false, `byte ${at}, offset ${offsetB}`);
      }
    }
  });

  it('the masked fields (TTL, header checksum, TCP checksum) may differ', () => {
    const arrived = sent.slice();
    for (const at of [TTL, HEADER_CHECKSUM, HEADER_CHECKSUM + 1, TCP_CHECKSUM, TCP_CHECKSUM + 1]) arrived[at] = arrived[at]! ^ 0xff;
    assert.equal(sameIpPacket(inBatch(sent, 0), IP, inBatch(arrived, 0), IP), true);
  });

  it('a copy cut short, or padded past the IP length, is judged by the IP length', () => {
    assert.equal(sameIpPacket(sent, IP, sent.subarray(0, sent.length - 1), IP), false);
    const padded = new Uint8Array(sent.length + 6);
    padded.set(sent);
    assert.equal(sameIpPacket(sent, IP, padded, IP), true);
  });
});
