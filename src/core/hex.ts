/**
 * Byte-to-text tables shared by the decoders, the hexdumps and the seed's JSON.
 * Built once so hot paths index an array instead of formatting numbers.
 */

/** `HEX_LOWER[b]` = two lower-case hex digits. */
export const HEX_LOWER: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** `HEX_UPPER[b]` = two upper-case hex digits (the seed's hexdump). */
export const HEX_UPPER: readonly string[] = HEX_LOWER.map((h) => h.toUpperCase());

/** Printable ASCII (0x20..0x7e) as itself, everything else as '.', like the seed. */
export const ASCII_OR_DOT: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.',
);

/** Lower-case hex of `bytes[start, end)`, no separators. */
export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const stop = Math.min(end, bytes.length);
  let out = '';
  for (let i = Math.max(0, start); i < stop; i++) out += HEX_LOWER[bytes[i] ?? 0];
  return out;
}

/** Bytes from hex text (whitespace ignored); invalid pairs become 0. For tests and fixtures. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  const bytes = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.substr(i * 2, 2), 16) || 0;
  return bytes;
}
