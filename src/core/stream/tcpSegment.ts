/**
 * The TCP segment inside a captured frame: addresses, ports, sequence number, flags and
 * payload. A separate, small walk of link and IP headers (not the display decoder) because
 * stream reassembly needs the sequence number and flags, which the packet summary does not
 * carry, and must stay cheap enough to run on every frame of a large capture.
 */
import { formatIPv4, formatIPv6, u16, u32 } from '../decode/bytes';
import { LinkType } from '../packet';

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpSegment {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Sequence number of the first payload byte (of the SYN itself when SYN is set). */
  seq: number;
  flags: number;
  /** The payload, a view into the frame (empty when there is none). */
  payload: Uint8Array;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];
const IPPROTO_TCP = 6;
/** IPv6 extension headers walked to reach TCP: hop-by-hop, routing, destination options. */
const IPV6_SKIPPABLE = new Set([0, 43, 60]);

/** The TCP segment of a frame, or undefined when it holds none (or a non-first IP fragment). */
export function tcpSegmentOf(d: Uint8Array, linkType: number): TcpSegment | undefined {
  switch (linkType) {
    case LinkType.ETHERNET: {
      let o = 12;
      let type = u16(d, o);
      for (let tags = 0; tags < 4 && ETHERTYPE_VLAN.includes(type); tags++) {
        o += 4;
        type = u16(d, o);
      }
      return byEtherType(d, type, o + 2);
    }
    case LinkType.LINUX_SLL:
      return byEtherType(d, u16(d, 14), 16);
    case LinkType.LINUX_SLL2:
      return byEtherType(d, u16(d, 0), 20);
    case LinkType.RAW:
    case 12:
      return (d[0] ?? 0) >> 4 === 6 ? ipv6(d, 0) : ipv4(d, 0);
    case LinkType.IPV4:
      return ipv4(d, 0);
    case LinkType.IPV6:
      return ipv6(d, 0);
    case LinkType.NULL: {
      const family = d[0] === 0 ? u32(d, 0) : (d[0] ?? 0) | ((d[1] ?? 0) << 8);
      return family === 2 ? ipv4(d, 4) : family === 10 || family === 24 || family === 28 || family === 30 ? ipv6(d, 4) : undefined;
    }
    default:
      return undefined;
  }
}

function byEtherType(d: Uint8Array, type: number, o: number): TcpSegment | undefined {
  if (type === ETHERTYPE_IPV4) return ipv4(d, o);
  if (type === ETHERTYPE_IPV6) return ipv6(d, o);
  return undefined;
}

function ipv4(d: Uint8Array, o: number): TcpSegment | undefined {
  if (o + 20 > d.length || (d[o] ?? 0) >> 4 !== 4) return undefined;
  const headerLength = ((d[o] ?? 0) & 0x0f) * 4;
  const total = u16(d, o + 2);
  const fragment = u16(d, o + 6);
  // Reassembling IP fragments is out of scope: TCP over IP fragments is rare (PMTU discovery).
  if ((fragment & 0x1fff) !== 0 || (fragment & 0x2000) !== 0) return undefined;
  if (d[o + 9] !== IPPROTO_TCP || headerLength < 20) return undefined;
  const end = Math.min(d.length, o + Math.max(total, headerLength));
  return tcp(d, o + headerLength, end, formatIPv4(d, o + 12), formatIPv4(d, o + 16));
}

function ipv6(d: Uint8Array, o: number): TcpSegment | undefined {
  if (o + 40 > d.length || (d[o] ?? 0) >> 4 !== 6) return undefined;
  const end = Math.min(d.length, o + 40 + u16(d, o + 4));
  let next = d[o + 6] ?? 0;
  let p = o + 40;
  for (let n = 0; n < 8 && IPV6_SKIPPABLE.has(next) && p + 8 <= end; n++) {
    next = d[p] ?? 0;
    p += ((d[p + 1] ?? 0) + 1) * 8;
  }
  if (next !== IPPROTO_TCP) return undefined;
  return tcp(d, p, end, formatIPv6(d, o + 8), formatIPv6(d, o + 24));
}

function tcp(d: Uint8Array, o: number, end: number, src: string, dst: string): TcpSegment | undefined {
  if (o + 20 > end) return undefined;
  const headerLength = ((d[o + 12] ?? 0) >> 4) * 4;
  if (headerLength < 20 || o + headerLength > end) return undefined;
  return {
    src,
    dst,
    srcPort: u16(d, o),
    dstPort: u16(d, o + 2),
    seq: u32(d, o + 4),
    flags: d[o + 13] ?? 0,
    payload: d.subarray(o + headerLength, end),
  };
}
