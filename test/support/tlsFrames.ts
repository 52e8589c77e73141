/**
 * The committed TLS captures (test/support/tlsFixtures, made by makeFixtures.ts) as frames,
 * and a re-segmenter that rebuilds their TCP payloads as many small raw-IPv4 segments, so
 * tests can cut records across segments, reorder, duplicate and drop them at will.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinkType } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { tcpSegmentOf, type TcpSegment } from '../../src/core/stream/tcpSegment';

export interface Frame {
  data: Uint8Array;
  linkType: number;
}

export interface TlsFixture {
  frames: Frame[];
  keyLog: string;
  /** The page the client fetched. */
  page: Buffer;
}

export const FIXTURE_NAMES = ['tls13-aes128gcm', 'tls12-ecdhe-chacha20', 'tls12-ecdhe-aes128cbc-sha1', 'tls12-ecdhe-aes256cbc-sha384-etm'] as const;

const DIR = join(__dirname, 'tlsFixtures');

export function tlsFixture(name: (typeof FIXTURE_NAMES)[number]): TlsFixture {
  const file = readPcapFile(readFileSync(join(DIR, `${name}.pcap`)));
  return {
    frames: file.records.map((r) => ({ data: r.data, linkType: r.linkType })),
    keyLog: readFileSync(join(DIR, `${name}.keys`), 'utf8'),
    page: readFileSync(join(DIR, 'page.txt')),
  };
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** One raw IPv4 frame carrying `segment` (checksums left zero: nothing here checks them). */
export function rawFrame(segment: TcpSegment): Frame {
  const data = new Uint8Array(40 + segment.payload.length);
  const total = data.length;
  data.set([0x45, 0, total >> 8, total & 0xff, 0, 0, 0, 0, 64, 6, 0, 0, ...ipv4Bytes(segment.src), ...ipv4Bytes(segment.dst)]);
  const s = segment.seq >>> 0;
  data.set([segment.srcPort >> 8, segment.srcPort & 0xff, segment.dstPort >> 8, segment.dstPort & 0xff, s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff, 0, 0, 0, 0, 0x50, segment.flags, 0xff, 0xff, 0, 0, 0, 0], 20);
  data.set(segment.payload, 40);
  return { data, linkType: LinkType.RAW };
}

/** The fixture's segments again, payloads cut into pieces of at most `size` bytes. */
export function resegment(frames: readonly Frame[], size: number): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    const seg = tcpSegmentOf(f.data, f.linkType);
    if (!seg) continue;
    if (seg.payload.length <= size) {
      out.push(rawFrame(seg));
      continue;
    }
    for (let at = 0; at < seg.payload.length; at += size) {
      out.push(rawFrame({ ...seg, seq: (seg.seq + at) >>> 0, payload: seg.payload.subarray(at, at + size) }));
    }
  }
  return out;
}
