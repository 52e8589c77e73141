/**
 * The part of a frame the de-duplication rule compares: the IP packet with the
 * link layer left out (the sender's and the receiver's interface may even be of
 * different link types) and with the bytes a hop or an offloading NIC may change
 * masked: IPv4 TTL and header checksum, IPv6 hop limit, and the TCP/UDP checksum
 * (on veth egress it is often only the pseudo-header sum, CHECKSUM_PARTIAL).
 * Everything else is compared: addresses, IP ID, ports, TCP sequence and
 * acknowledgement numbers, TCP options (timestamps), and the payload.
 */
import { LinkType } from '../packet';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
/** Bytes hashed at most; a hash hit is confirmed by comparing every byte. */
const HASHED_BYTES = 64;

/** Offset of the IP header in `data`, or -1 when the frame carries no IPv4/IPv6 packet. */
export function ipOffset(data: Uint8Array, linkType: number): number {
  let at: number;
  let type: number;
  switch (linkType) {
    case LinkType.ETHERNET: {
      at = 12;
      type = u16(data, at);
      // 802.1Q / 802.1ad tags: at most two, as a real frame has.
      for (let tags = 0; tags < 2 && (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ); tags++) {
        at += 4;
        type = u16(data, at);
      }
      at += 2;
      break;
    }
    case LinkType.LINUX_SLL:
      type = u16(data, 14);
      at = 16;
      break;
    case LinkType.LINUX_SLL2:
      type = u16(data, 0);
      at = 20;
      break;
    case LinkType.NULL:
      at = 4;
      type = versionType(data, at);
      break;
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      at = 0;
      type = versionType(data, at);
      break;
    default:
      return -1;
  }
  if (type === ETHERTYPE_IPV4 && data.length >= at + 20 && data[at]! >> 4 === 4) return at;
  if (type === ETHERTYPE_IPV6 && data.length >= at + 40 && data[at]! >> 4 === 6) return at;
  return -1;
}

function u16(d: Uint8Array, at: number): number {
  return at + 1 < d.length ? (d[at]! << 8) | d[at + 1]! : -1;
}

function versionType(d: Uint8Array, at: number): number {
  const v = at < d.length ? d[at]! >> 4 : 0;
  return v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : -1;
}

/**
 * Offsets (from the IP header) of the masked bytes, ascending, as [start, end) pairs
 * packed into `out`; returns how many pairs.
 */
function maskedSpans(d: Uint8Array, ip: number, out: Int32Array): number {
  const end = ipLength(d, ip);
  if (d[ip]! >> 4 === 4) {
    out[0] = 8; // TTL
    out[1] = 9;
    out[2] = 10; // header checksum
    out[3] = 12;
    const headerLength = (d[ip]! & 0x0f) * 4;
    const fragmentOffset = ((d[ip + 6]! & 0x1f) << 8) | d[ip + 7]!;
    const l4Checksum = fragmentOffset !== 0 ? -1 : checksumOffset(d[ip + 9]!, headerLength);
    if (l4Checksum >= 12 && l4Checksum + 2 <= end) {
      out[4] = l4Checksum;
      out[5] = l4Checksum + 2;
      return 3;
    }
    return 2;
  }
  out[0] = 7; // hop limit
  out[1] = 8;
  const l4Checksum = checksumOffset(d[ip + 6]!, 40);
  if (l4Checksum >= 8 && l4Checksum + 2 <= end) {
    out[2] = l4Checksum;
    out[3] = l4Checksum + 2;
    return 2;
  }
  return 1;
}

function checksumOffset(protocol: number, l4: number): number {
  return protocol === 6 ? l4 + 16 : protocol === 17 ? l4 + 6 : -1;
}

/**
 * The IP packet's length as its header says, within what was captured: Ethernet
 * pads short frames to 60 bytes, and padding is not part of the packet.
 */
export function ipLength(d: Uint8Array, ip: number): number {
  const captured = d.length - ip;
  const declared = d[ip]! >> 4 === 4 ? (d[ip + 2]! << 8) | d[ip + 3]! : 40 + ((d[ip + 4]! << 8) | d[ip + 5]!);
  // 0 in IPv4 means TSO/GRO left it unset: the captured bytes are the packet.
  return declared === 0 || declared > captured ? captured : declared;
}

const spansA = new Int32Array(6);
const spansB = new Int32Array(6);

/**
 * A 32-bit FNV-1a-style hash of the masked IP packet (its first bytes) and its
 * length, four bytes to a step within each unmasked stretch. Equal packets (by
 * sameIpPacket) have equal stretches, so equal hashes.
 */
export function ipPacketHash(d: Uint8Array, ip: number): number {
  const n = maskedSpans(d, ip, spansA);
  const length = ipLength(d, ip);
  const limit = Math.min(length, HASHED_BYTES);
  let h = 0x811c9dc5 ^ length;
  let pos = 0;
  for (let s = 0; s <= n; s++) {
    const stop = s < n ? Math.min(spansA[2 * s]!, limit) : limit;
    let i = ip + pos;
    const end = ip + stop;
    for (; i + 4 <= end; i += 4) h = Math.imul(h ^ (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)), 0x01000193);
    for (; i < end; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
    if (s < n) pos = spansA[2 * s + 1]!;
    if (pos >= limit) break;
  }
  return h >>> 0;
}

/** Whether two frames carry the same IP packet, every byte but the masked ones. */
export function sameIpPacket(a: Uint8Array, ipA: number, b: Uint8Array, ipB: number): boolean {
  const length = ipLength(a, ipA);
  if (length !== ipLength(b, ipB)) return false;
  const n = maskedSpans(a, ipA, spansA);
  if (maskedSpans(b, ipB, spansB) !== n) return false;
  let pos = 0;
  for (let s = 0; s <= n; s++) {
    const stop = s < n ? spansA[2 * s]! : length;
    if (s < n && (spansB[2 * s] !== stop || spansB[2 * s + 1] !== spansA[2 * s + 1])) return false;
    if (!sameBytes(a, ipA + pos, b, ipB + pos, stop - pos)) return false;
    if (s < n) pos = spansA[2 * s + 1]!;
  }
  return true;
}

/** Below this, a byte loop is quicker than making two word views. */
const WORD_COMPARE_BYTES = 64;

/**
 * Whether `n` bytes of `a` from `at` equal those of `b` from `bt`. A payload is
 * compared four bytes at a time when both copies sit at the same offset modulo 4
 * in their buffers (Int32Array views need aligned offsets).
 */
function sameBytes(a: Uint8Array, at: number, b: Uint8Array, bt: number, n: number): boolean {
  let i = 0;
  const from = a.byteOffset + at;
  if (n >= WORD_COMPARE_BYTES && ((from - (b.byteOffset + bt)) & 3) === 0) {
    const lead = (4 - (from & 3)) & 3;
    for (; i < lead; i++) if (a[at + i] !== b[bt + i]) return false;
    const words = (n - lead) >> 2;
    const wordsA = new Int32Array(a.buffer, from + lead, words);
    const wordsB = new Int32Array(b.buffer, b.byteOffset + bt + lead, words);
    for (let w = 0; w < words; w++) if (wordsA[w] !== wordsB[w]) return false;
    i = lead + words * 4;
  }
  for (; i < n; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}

/**
 * An address as a map key: IPv4 as its 32-bit number (signed: a small integer
 * for the engine, where 172.x as an unsigned number would be a boxed one, made
 * twice per packet), IPv6 as 32 hex digits. `which`: source or destination of
 * the packet at `ip`.
 */
export function ipAddressKey(d: Uint8Array, ip: number, which: 'src' | 'dst'): number | string {
  if (d[ip]! >> 4 === 4) {
    const at = ip + (which === 'src' ? 12 : 16);
    return (d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!;
  }
  const at = ip + (which === 'src' ? 8 : 24);
  let key = '';
  for (let i = 0; i < 16; i++) key += (d[at + i]! < 16 ? '0' : '') + d[at + i]!.toString(16);
  return key;
}

/** The same key from an address as Docker writes it (`172.18.0.2`, `fd00::2`); undefined when it is not one. */
export function addressTextKey(text: string): number | string | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return (parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!;
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return groups.map((g) => g.padStart(4, '0')).join('');
}
