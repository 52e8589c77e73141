/**
 * The handful of header fields the display filter compares, read straight from
 * the frame bytes into numbers. The packet store keeps them in typed columns so
 * a filter over a million packets compares integers instead of parsing strings
 * or building per-packet objects. The full decoder (core/decode) stays the
 * source of what rows display; this only has to agree on where headers are.
 */
import { LinkType } from '../packet';

export const NetworkLayer = { NONE: 0, IPV4: 1, IPV6: 2, ARP: 3 } as const;

/** Reused by the caller for every frame: extraction allocates nothing. */
export interface FrameFields {
  network: number;
  /** Where the network header starts in the frame (IPv6 addresses are compared there). */
  networkOffset: number;
  /** IP protocol / IPv6 next header of the transport layer, -1 when none. */
  ipProtocol: number;
  /** IPv4 addresses as unsigned 32-bit numbers (0 when not IPv4). */
  srcIpv4: number;
  dstIpv4: number;
  /** -1 when the frame has no TCP/UDP header. */
  srcPort: number;
  dstPort: number;
  /** TCP/UDP payload (or the IP payload for other transports) inside the frame. */
  payloadOffset: number;
  payloadLength: number;
}

export function emptyFrameFields(): FrameFields {
  return { network: 0, networkOffset: 0, ipProtocol: -1, srcIpv4: 0, dstIpv4: 0, srcPort: -1, dstPort: -1, payloadOffset: 0, payloadLength: 0 };
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

export function extractFrameFields(data: Uint8Array, linkType: number, out: FrameFields): void {
  out.network = NetworkLayer.NONE;
  out.networkOffset = 0;
  out.ipProtocol = -1;
  out.srcIpv4 = 0;
  out.dstIpv4 = 0;
  out.srcPort = -1;
  out.dstPort = -1;
  out.payloadOffset = 0;
  out.payloadLength = 0;
  let offset: number;
  let etherType: number;
  switch (linkType) {
    case LinkType.ETHERNET: {
      offset = 12;
      etherType = u16(data, offset);
      offset += 2;
      // Up to two VLAN tags (802.1Q, and 802.1ad outside it).
      for (let i = 0; i < 2 && (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ); i++) {
        etherType = u16(data, offset + 2);
        offset += 4;
      }
      break;
    }
    case LinkType.LINUX_SLL:
      etherType = u16(data, 14);
      offset = 16;
      break;
    case LinkType.LINUX_SLL2:
      etherType = u16(data, 0);
      offset = 20;
      break;
    case LinkType.NULL: {
      // BSD loopback: a 4-byte address family in the capturing host's byte order.
      const family = data.length >= 4 ? (data[0] ?? 0) | (data[3] ?? 0) : 0;
      etherType = family === 2 ? ETHERTYPE_IPV4 : family === 24 || family === 28 || family === 30 ? ETHERTYPE_IPV6 : -1;
      offset = 4;
      break;
    }
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6: {
      const version = (data[0] ?? 0) >> 4;
      etherType = version === 4 ? ETHERTYPE_IPV4 : version === 6 ? ETHERTYPE_IPV6 : -1;
      offset = 0;
      break;
    }
    default:
      return;
  }
  if (etherType === ETHERTYPE_IPV4) readIpv4(data, offset, out);
  else if (etherType === ETHERTYPE_IPV6) readIpv6(data, offset, out);
  else if (etherType === ETHERTYPE_ARP) out.network = NetworkLayer.ARP;
}

function readIpv4(data: Uint8Array, offset: number, out: FrameFields): void {
  if (offset + 20 > data.length) return;
  const headerLength = ((data[offset] ?? 0) & 0x0f) * 4;
  if (headerLength < 20) return;
  out.network = NetworkLayer.IPV4;
  out.networkOffset = offset;
  out.srcIpv4 = u32(data, offset + 12);
  out.dstIpv4 = u32(data, offset + 16);
  out.ipProtocol = data[offset + 9] ?? -1;
  // Bound the payload by the IP total length: short Ethernet frames carry padding.
  const end = Math.min(data.length, offset + u16(data, offset + 2));
  const fragmentOffset = u16(data, offset + 6) & 0x1fff;
  const transport = offset + headerLength;
  if (fragmentOffset !== 0) {
    setPayload(out, transport, end);
    return;
  }
  readTransport(data, transport, end, out);
}

function readIpv6(data: Uint8Array, offset: number, out: FrameFields): void {
  if (offset + 40 > data.length) return;
  out.network = NetworkLayer.IPV6;
  out.networkOffset = offset;
  const end = Math.min(data.length, offset + 40 + u16(data, offset + 4));
  let next = data[offset + 6] ?? -1;
  let transport = offset + 40;
  // Skip the extension headers that carry a length; stop at anything else.
  for (let i = 0; i < 8; i++) {
    if (next === 0 || next === 43 || next === 60) {
      if (transport + 2 > end) break;
      next = data[transport] ?? -1;
      transport += ((data[transport + 1] ?? 0) + 1) * 8;
    } else if (next === 44) {
      if (transport + 8 > end) break;
      next = data[transport] ?? -1;
      transport += 8;
    } else {
      break;
    }
  }
  out.ipProtocol = next;
  readTransport(data, transport, end, out);
}

function readTransport(data: Uint8Array, offset: number, end: number, out: FrameFields): void {
  const protocol = out.ipProtocol;
  if (protocol === 6 && offset + 20 <= end) {
    out.srcPort = u16(data, offset);
    out.dstPort = u16(data, offset + 2);
    const headerLength = ((data[offset + 12] ?? 0) >> 4) * 4;
    setPayload(out, offset + Math.max(headerLength, 20), end);
  } else if (protocol === 17 && offset + 8 <= end) {
    out.srcPort = u16(data, offset);
    out.dstPort = u16(data, offset + 2);
    setPayload(out, offset + 8, end);
  } else {
    setPayload(out, offset, end);
  }
}

function setPayload(out: FrameFields, start: number, end: number): void {
  if (start >= end) return;
  out.payloadOffset = start;
  out.payloadLength = end - start;
}

function u16(data: Uint8Array, offset: number): number {
  return ((data[offset] ?? 0) << 8) | (data[offset + 1] ?? 0);
}

function u32(data: Uint8Array, offset: number): number {
  return (((data[offset] ?? 0) << 24) | ((data[offset + 1] ?? 0) << 16) | ((data[offset + 2] ?? 0) << 8) | (data[offset + 3] ?? 0)) >>> 0;
}

/** `172.17.0.2` -> 0xac110002; undefined when the text is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** `fd00::3` -> its 16 bytes; undefined when the text is not an IPv6 address. */
export function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined): number[] | undefined => {
    if (!part) return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (i === pieces.length - 1 && piece.includes('.')) {
        // An embedded IPv4 tail, as in ::ffff:172.17.0.2.
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}
