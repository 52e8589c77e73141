/**
 * Hexdumps: the plain offset/hex/ASCII rows the packet inspector shows, and the
 * seed's boxed table (its exact text, byte for byte).
 */
import { ASCII_OR_DOT, HEX_UPPER } from './hex';

export const BYTES_PER_ROW = 16;

export interface HexdumpOptions {
  /** Prefix each row with its offset as 4+ hex digits (default true). */
  offsetColumn?: boolean;
}

/**
 * `0000  47 45 54 20 2F 20 48 54 54 50 2F 31 2E 31 0D 0A  GET / HTTP/1.1..`
 * The last row's hex is padded so the ASCII column always lines up.
 */
export function hexdumpLines(bytes: Uint8Array, options: HexdumpOptions = {}): string[] {
  const offsetColumn = options.offsetColumn ?? true;
  const offsetWidth = Math.max(4, (Math.max(bytes.length - 1, 0)).toString(16).length);
  const lines: string[] = [];
  for (let rowStart = 0; rowStart < bytes.length; rowStart += BYTES_PER_ROW) {
    const { hex, ascii } = hexdumpRow(bytes, rowStart);
    const prefix = offsetColumn ? rowStart.toString(16).toUpperCase().padStart(offsetWidth, '0') + '  ' : '';
    lines.push(`${prefix}${hex}  ${ascii}`);
  }
  return lines;
}

/** One row's hex (padded to the full row width) and ASCII (not padded). */
export function hexdumpRow(bytes: Uint8Array, rowStart: number): { hex: string; ascii: string } {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < BYTES_PER_ROW; i++) {
    const index = rowStart + i;
    if (i > 0) hex += ' ';
    if (index < bytes.length) {
      const b = bytes[index] ?? 0;
      hex += HEX_UPPER[b];
      ascii += ASCII_OR_DOT[b];
    } else {
      hex += '  ';
    }
  }
  return { hex, ascii };
}

/** The seed's column labels: decimal, `00` .. `15`, exactly as it printed them. */
export const SEED_HEXDUMP_HEADER = '  ' + Array.from({ length: BYTES_PER_ROW }, (_, i) => String(i).padStart(2, '0')).join(' ');
export const SEED_HEXDUMP_RULE = '+' + '-'.repeat(BYTES_PER_ROW * 3 + 1) + '+' + '-'.repeat(BYTES_PER_ROW) + '+';

/**
 * The seed's boxed table:
 * ```
 *   00 01 02 ... 15
 * +-------------------------------------------------+----------------+
 * | 2F 59 01 00 ... 6F |/Y...........goo|
 * +-------------------------------------------------+----------------+
 * ```
 * The last row is padded with spaces in both columns. Empty input gives no lines.
 */
export function seedHexdumpLines(bytes: Uint8Array): string[] {
  if (bytes.length === 0) return [];
  const lines = [SEED_HEXDUMP_HEADER, SEED_HEXDUMP_RULE];
  for (let rowStart = 0; rowStart < bytes.length; rowStart += BYTES_PER_ROW) {
    const { hex, ascii } = hexdumpRow(bytes, rowStart);
    lines.push(`| ${hex} |${ascii.padEnd(BYTES_PER_ROW, ' ')}|`);
  }
  lines.push(SEED_HEXDUMP_RULE);
  return lines;
}
