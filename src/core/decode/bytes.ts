/**
 * Big-endian reads and address formatting on plain Uint8Arrays. No DataView per
 * packet: index reads are faster and an out-of-range index reads as 0, so a caller
 * that forgot a bounds check gets a wrong value, never an exception.
 */
import { HEX_LOWER } from '../hex';

export function u8(d: Uint8Array, o: number): number {
  return d[o] ?? 0;
}

export function u16(d: Uint8Array, o: number): number {
  return ((d[o] ?? 0) << 8) | (d[o + 1] ?? 0);
}

export function u32(d: Uint8Array, o: number): number {
  return (((d[o] ?? 0) << 24) | ((d[o + 1] ?? 0) << 16) | ((d[o + 2] ?? 0) << 8) | (d[o + 3] ?? 0)) >>> 0;
}

/**
 * Decimal text of 0..65535 (ports, lengths, windows), built once per value and kept
 * (at most 65,536 short strings): V8's own number-to-string cache is small, and random
 * ephemeral ports missed it. Other numbers are converted as usual.
 */
const SHORT_DECIMAL: string[] = new Array<string>(65536).fill('');

export function shortText(n: number): string {
  if (n >= 0 && n < 65536 && (n | 0) === n) {
    const cached = SHORT_DECIMAL[n]!;
    if (cached !== '') return cached;
    return (SHORT_DECIMAL[n] = String(n));
  }
  return String(n);
}

/** `0000` to `9999`: the zero-padded four-digit groups uint32Text() joins. */
const FOUR_DIGITS: readonly string[] = Array.from({ length: 10000 }, (_, n) => String(n).padStart(4, '0'));

/**
 * Decimal text of an unsigned 32-bit number (TCP sequence and acknowledgment numbers).
 * Each packet brings a new one, so V8's number-to-string cache always misses and every
 * String(n) was a call into the runtime (and two above 2^30, where numbers are heap
 * doubles). Instead: the number as groups of four digits, each a table lookup
 * (shortText for the leading group), joined by short string additions.
 */
export function uint32Text(n: number): string {
  if (n < 65536) return shortText(n);
  const high = Math.floor(n / 10000);
  const low = FOUR_DIGITS[n - high * 10000]!;
  if (high < 65536) return shortText(high) + low;
  // Above 655,359,999 (most random initial sequence numbers) the leading digits take two
  // groups: their text is kept by `high`, which a flow's next packets share (a 1448-byte
  // step changes it every ~7 packets), so most numbers are one addition, not two.
  const slot = high & (HIGH_GROUP_SLOTS - 1);
  if (highGroupKey[slot] === high) return highGroupText[slot]! + low;
  const top = Math.floor(high / 10000);
  const prefix = shortText(top) + FOUR_DIGITS[high - top * 10000]!;
  highGroupKey[slot] = high;
  highGroupText[slot] = prefix;
  return prefix + low;
}

/** uint32Text's leading digits by `high` (n / 10000, at most 429,496), direct-mapped. */
const HIGH_GROUP_SLOTS = 1024;
const highGroupKey = new Int32Array(HIGH_GROUP_SLOTS).fill(-1);
const highGroupText: string[] = new Array<string>(HIGH_GROUP_SLOTS).fill('');

/** Decimal strings of 0..255, so an IPv4 address is four lookups. */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, b) => String(b));

/**
 * A capture talks to few addresses, so their text is cached: a direct-mapped table
 * indexed by a hash of the address, checked against the full address. A hit costs a
 * few loads instead of building a string (the packet list formats two per packet).
 */
const IPV4_CACHE_SIZE = 1024;
const ipv4CacheKeys = new Float64Array(IPV4_CACHE_SIZE).fill(-1);
const ipv4CacheText: string[] = new Array<string>(IPV4_CACHE_SIZE).fill('');

export function formatIPv4(d: Uint8Array, o: number): string {
  const address = u32(d, o);
  const slot = ((address >>> 16) ^ address ^ (address >>> 10)) & (IPV4_CACHE_SIZE - 1);
  if (ipv4CacheKeys[slot] === address) return ipv4CacheText[slot]!;
  const text = `${DECIMAL[d[o] ?? 0]}.${DECIMAL[d[o + 1] ?? 0]}.${DECIMAL[d[o + 2] ?? 0]}.${DECIMAL[d[o + 3] ?? 0]}`;
  ipv4CacheKeys[slot] = address;
  ipv4CacheText[slot] = text;
  return text;
}

/** `aa:bb:cc:dd:ee:ff`, lower case (as `ip link` and Docker print them). */
export function formatMac(d: Uint8Array, o: number): string {
  return `${HEX_LOWER[d[o] ?? 0]}:${HEX_LOWER[d[o + 1] ?? 0]}:${HEX_LOWER[d[o + 2] ?? 0]}:${HEX_LOWER[d[o + 3] ?? 0]}:${HEX_LOWER[d[o + 4] ?? 0]}:${HEX_LOWER[d[o + 5] ?? 0]}`;
}

/** Link-layer address of any length (`aa:bb:...`); empty for length 0. */
export function formatLinkAddress(d: Uint8Array, o: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += (i ? ':' : '') + HEX_LOWER[d[o + i] ?? 0];
  return out;
}

const IPV6_CACHE_SIZE = 256;
/** Four 32-bit words per slot; a slot whose text is '' is empty. */
const ipv6CacheKeys = new Uint32Array(IPV6_CACHE_SIZE * 4);
const ipv6CacheText: string[] = new Array<string>(IPV6_CACHE_SIZE).fill('');

/** RFC 5952 text: lower case, longest run of 2+ zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. Cached like IPv4. */
export function formatIPv6(d: Uint8Array, o: number): string {
  const w0 = u32(d, o);
  const w1 = u32(d, o + 4);
  const w2 = u32(d, o + 8);
  const w3 = u32(d, o + 12);
  const slot = ((w0 ^ w1 ^ w2 ^ w3 ^ (w3 >>> 8) ^ (w3 >>> 16)) >>> 0) & (IPV6_CACHE_SIZE - 1);
  const k = slot * 4;
  if (ipv6CacheText[slot] !== '' && ipv6CacheKeys[k] === w0 && ipv6CacheKeys[k + 1] === w1 && ipv6CacheKeys[k + 2] === w2 && ipv6CacheKeys[k + 3] === w3) {
    return ipv6CacheText[slot]!;
  }
  const text = ipv6Text(d, o);
  ipv6CacheKeys[k] = w0;
  ipv6CacheKeys[k + 1] = w1;
  ipv6CacheKeys[k + 2] = w2;
  ipv6CacheKeys[k + 3] = w3;
  ipv6CacheText[slot] = text;
  return text;
}

function ipv6Text(d: Uint8Array, o: number): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    if (u16(d, o + g * 2) === 0) {
      if (runStart < 0) runStart = g;
      const runLength = g - runStart + 1;
      if (runLength > bestLength) {
        bestStart = runStart;
        bestLength = runLength;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestStart === 0 && bestLength === 5 && u16(d, o + 10) === 0xffff) {
    return `::ffff:${formatIPv4(d, o + 12)}`;
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLength - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += u16(d, o + g * 2).toString(16);
  }
  return out;
}

const CHARS: readonly string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

/** Text made of the bytes `[start, end)`, printable ASCII kept, others as `\xNN`. */
export function asciiText(d: Uint8Array, start: number, end: number): string {
  const stop = Math.min(end, d.length);
  let out = '';
  let i = Math.max(0, start);
  // Eight characters per native call while they are printable: measured several times
  // faster than a concatenation per character or fromCharCode.apply on a subarray.
  while (i + 8 <= stop && isPrintable8(d, i)) {
    out += String.fromCharCode(d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!, d[i + 4]!, d[i + 5]!, d[i + 6]!, d[i + 7]!);
    i += 8;
  }
  for (; i < stop; i++) {
    const b = d[i] ?? 0;
    out += b >= 0x20 && b < 0x7f ? CHARS[b] : `\\x${HEX_LOWER[b]}`;
  }
  return out;
}

function isPrintable8(d: Uint8Array, i: number): boolean {
  for (let k = i; k < i + 8; k++) {
    const b = d[k]!;
    if (b < 0x20 || b >= 0x7f) return false;
  }
  return true;
}
