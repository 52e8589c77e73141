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

/** Decimal strings of 0..255, so an IPv4 address is four lookups. */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, b) => String(b));

export function formatIPv4(d: Uint8Array, o: number): string {
  return `${DECIMAL[d[o] ?? 0]}.${DECIMAL[d[o + 1] ?? 0]}.${DECIMAL[d[o + 2] ?? 0]}.${DECIMAL[d[o + 3] ?? 0]}`;
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

/** RFC 5952 text: lower case, longest run of 2+ zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIPv6(d: Uint8Array, o: number): string {
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

/** Text made of the bytes `[start, end)`, printable ASCII kept, others as `\xNN`. */
export function asciiText(d: Uint8Array, start: number, end: number): string {
  let out = '';
  const stop = Math.min(end, d.length);
  for (let i = start; i < stop; i++) {
    const b = d[i] ?? 0;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${HEX_LOWER[b]}`;
  }
  return out;
}
