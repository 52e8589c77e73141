/**
 * The CLI's text written as bytes (src/core/boxedTextWriter.ts) is the text the
 * seed format defines (formatSeedText), byte for byte: on every packet of every
 * fixture in both directions, and on payloads of every length around the row size.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { boxedTextMaxBytes, writeBoxedText, type BoxedTextPacket } from '../../src/core/boxedTextWriter';
import { summarize, summarizeEndpoints } from '../../src/core/decode/index';
import type { CapturedFrame, Direction, PacketSummary } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { formatSeedText } from '../../src/core/seedFormat';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function written(p: BoxedTextPacket): string {
  const max = boxedTextMaxBytes(p);
  // Filled with a marker so a byte the writer forgot shows up.
  const out = new Uint8Array(max + 10).fill(0x23);
  const end = writeBoxedText(out, 5, p);
  assert.ok(end - 5 <= max, `wrote ${end - 5} bytes, promised at most ${max}`);
  return new TextDecoder().decode(out.subarray(5, end));
}

function fromSummary(frame: CapturedFrame, s: PacketSummary): BoxedTextPacket {
  return { direction: frame.direction, src: s.src, dst: s.dst, srcPort: s.srcPort, dstPort: s.dstPort, data: frame.data, payloadOffset: s.payloadOffset, payloadLength: s.payloadLength };
}

describe('the CLI text written as bytes', () => {
  it('equals formatSeedText on every packet of every fixture, sent and received', () => {
    let packets = 0;
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.pcap'))) {
      for (const r of readPcapFile(readFileSync(join(FIXTURES, name))).records) {
        for (const direction of ['out', 'in'] as Direction[]) {
          const frame: CapturedFrame = { ...r, interfaceName: 'file', direction };
          const expected = formatSeedText(frame, summarize(r.data, r.linkType, r.originalLength));
          // What the CLI does: the cheaper decode without Info, then the bytes.
          const e = summarizeEndpoints(r.data, r.linkType, r.originalLength);
          const p: BoxedTextPacket = { direction, src: e.src, dst: e.dst, srcPort: e.srcPort, dstPort: e.dstPort, data: r.data, payloadOffset: e.payloadOffset, payloadLength: e.payloadLength };
          assert.equal(written(p), expected, `${name} ${direction}`);
          packets++;
        }
      }
    }
    assert.ok(packets > 50);
  });

  it('equals formatSeedText for payloads of 0 to 50 bytes (partial rows), IPv6 with ports, and no ports', () => {
    for (let length = 0; length <= 50; length++) {
      const data = new Uint8Array(20 + length);
      for (let i = 0; i < data.length; i++) data[i] = (i * 37 + length) & 0xff;
      const frame: CapturedFrame = { tsSec: 0, tsUsec: 0, interfaceName: 'eth0', direction: length % 2 ? 'in' : 'out', linkType: 1, originalLength: data.length, data };
      const cases: PacketSummary[] = [
        { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5, dstPort: 65535, protocol: 'UDP', info: '', payloadOffset: 20, payloadLength: length },
        { src: 'fd00::1', dst: '2001:db8::ffff:1', srcPort: 443, dstPort: 0, protocol: 'TCP', info: '', payloadOffset: 20, payloadLength: length },
        { src: '02:42:ac:11:00:02', dst: 'ff:ff:ff:ff:ff:ff', protocol: 'ARP', info: '', payloadOffset: 20, payloadLength: length },
        // A payload that claims more than was captured is cut at the captured bytes.
        { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, protocol: 'TCP', info: '', payloadOffset: 20, payloadLength: length + 100 },
      ];
      for (const s of cases) assert.equal(written(fromSummary(frame, s)), formatSeedText(frame, s), `${length} bytes, ${s.dst}`);
    }
  });
});
