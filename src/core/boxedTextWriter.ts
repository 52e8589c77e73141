/**
 * The CLI's text output (seedFormat.ts: `OUT: ip:port` + the boxed hexdump of
 * the payload) written as bytes straight into a caller's buffer, byte for byte
 * what `formatSeedText()` returns. A file of a million packets is a gigabyte of
 * this text: building it as strings (a string per row, joins, then an encode to
 * UTF-8 on write) cost more than tcpdump's whole run, so the hot loop here only
 * indexes byte tables and stores bytes. `formatSeedText()` stays the definition
 * and the tests hold the two equal.
 */
import type { Direction } from './packet';
import { SEED_HEXDUMP_HEADER, SEED_HEXDUMP_RULE } from './hexdump';

/** `| XX XX ... XX |ascii...........|\n`: every row, the last one padded. */
const ROW_BYTES = 69;
const HEX_DIGITS = '0123456789ABCDEF';
const HEX_HIGH = new Uint8Array(256);
const HEX_LOW = new Uint8Array(256);
const PRINTABLE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HEX_HIGH[b] = HEX_DIGITS.charCodeAt(b >> 4);
  HEX_LOW[b] = HEX_DIGITS.charCodeAt(b & 15);
  PRINTABLE[b] = b >= 0x20 && b < 0x7f ? b : 0x2e;
}
const asciiBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** The column labels and the top rule, then (at the end) the bottom rule. */
const BOX_TOP = asciiBytes(`${SEED_HEXDUMP_HEADER}\n${SEED_HEXDUMP_RULE}\n`);
const BOX_BOTTOM = asciiBytes(`${SEED_HEXDUMP_RULE}\n`);
const SPACE = 0x20;
const BAR = 0x7c;
const NEWLINE = 0x0a;

/** What one packet's block needs: the remote endpoint and the payload's place in `data`. */
export interface BoxedTextPacket {
  direction: Direction;
  src: string;
  dst: string;
  /** -1 (or undefined) when the packet has no ports. */
  srcPort: number | undefined;
  dstPort: number | undefined;
  data: Uint8Array;
  payloadOffset: number;
  payloadLength: number;
}

/** The payload bounds `payloadBytes()` (seedFormat.ts) uses. */
function payloadRange(p: BoxedTextPacket): [number, number] {
  const start = Math.min(p.payloadOffset, p.data.length);
  return [start, Math.min(p.data.length, start + p.payloadLength)];
}

/** The most bytes `writeBoxedText` may write for this packet (UTF-8 of any address included). */
export function boxedTextMaxBytes(p: BoxedTextPacket): number {
  const [start, end] = payloadRange(p);
  const rows = Math.ceil((end - start) / 16);
  const addressBytes = 3 * Math.max(p.src.length, p.dst.length);
  return 16 + addressBytes + (rows === 0 ? 0 : BOX_TOP.length + BOX_BOTTOM.length + rows * ROW_BYTES);
}

/** Writes text of only ASCII (IP and MAC addresses); anything else goes through TextEncoder. */
function writeText(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return at - i + new TextEncoder().encodeInto(text, out.subarray(at - i)).written;
    out[at++] = c;
  }
  return at;
}

function writeDecimal(out: Uint8Array, at: number, n: number): number {
  if (n >= 10) at = writeDecimal(out, at, Math.floor(n / 10));
  out[at] = 0x30 + (n % 10);
  return at + 1;
}

/** `OUT: 10.0.0.1:80\n` / `IN:  10.0.0.1:80\n`, as `seedEndpointLine()`. */
function writeEndpointLine(out: Uint8Array, at: number, p: BoxedTextPacket): number {
  const outgoing = p.direction === 'out';
  const address = outgoing ? p.dst : p.src;
  const port = outgoing ? p.dstPort : p.srcPort;
  at = writeText(out, at, outgoing ? 'OUT: ' : 'IN:  ');
  const hasPort = port !== undefined && port >= 0;
  const bracket = hasPort && address.includes(':');
  if (bracket) out[at++] = 0x5b;
  at = writeText(out, at, address);
  if (bracket) out[at++] = 0x5d;
  if (hasPort) {
    out[at++] = 0x3a;
    at = writeDecimal(out, at, port);
  }
  out[at] = NEWLINE;
  return at + 1;
}

/**
 * Writes the packet's block at `out[at]` and returns where it ends. The caller
 * makes room first: `boxedTextMaxBytes(p)` bytes from `at`.
 */
export function writeBoxedText(out: Uint8Array, at: number, p: BoxedTextPacket): number {
  at = writeEndpointLine(out, at, p);
  const [start, end] = payloadRange(p);
  if (end <= start) return at;
  const d = p.data;
  out.set(BOX_TOP, at);
  at += BOX_TOP.length;
  for (let row = start; row < end; row += 16) {
    const n = Math.min(16, end - row);
    out[at] = BAR;
    out[at + 1] = SPACE;
    let hex = at + 2;
    let ascii = at + 51;
    for (let i = 0; i < n; i++) {
      const b = d[row + i] as number;
      out[hex] = HEX_HIGH[b] as number;
      out[hex + 1] = HEX_LOW[b] as number;
      out[hex + 2] = SPACE;
      out[ascii++] = PRINTABLE[b] as number;
      hex += 3;
    }
    for (let i = n; i < 16; i++) {
      out[hex] = SPACE;
      out[hex + 1] = SPACE;
      out[hex + 2] = SPACE;
      out[ascii++] = SPACE;
      hex += 3;
    }
    // hex ends on the space before the bar (the 16th column's trailing space).
    out[at + 50] = BAR;
    out[at + 67] = BAR;
    out[at + 68] = NEWLINE;
    at += ROW_BYTES;
  }
  out.set(BOX_BOTTOM, at);
  return at + BOX_BOTTOM.length;
}
