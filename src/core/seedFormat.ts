/**
 * The seed tool's output formats, kept exactly so its users' scripts keep working:
 * the text lines (`OUT: ip:port` / `IN:  ip:port` + the boxed hexdump) and the JSON
 * record (`payload`, `src_port`, `interface`, `src`, `dst`, `dst_port`, all strings),
 * extended with fields the seed did not have (time, direction, protocol, info, length).
 */
import { toHex } from './hex';
import { seedHexdumpLines } from './hexdump';
import type { CapturedFrame, Direction, PacketSummary } from './packet';

/**
 * `OUT: 10.38.5.26:53` or `IN:  10.38.5.26:53` (two spaces after IN: so the addresses
 * line up): the REMOTE endpoint, the destination of what the container sent, the
 * source of what it received. Without a port (ICMP, ARP) the `:port` is left out.
 * IPv6 addresses with a port are bracketed (`[fd00::1]:80`), which the seed never
 * printed but which keeps the port readable.
 */
export function seedEndpointLine(direction: Direction, summary: PacketSummary): string {
  const outgoing = direction === 'out';
  const address = outgoing ? summary.dst : summary.src;
  const port = outgoing ? summary.dstPort : summary.srcPort;
  const label = outgoing ? 'OUT: ' : 'IN:  ';
  if (port === undefined) return label + address;
  return `${label}${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** The TCP/UDP payload bytes of a frame (a view, empty when there is none). */
export function payloadBytes(frame: CapturedFrame, summary: PacketSummary): Uint8Array {
  const start = Math.min(summary.payloadOffset, frame.data.length);
  return frame.data.subarray(start, Math.min(frame.data.length, start + summary.payloadLength));
}

/** The seed's text for one packet: the endpoint line, then the boxed hexdump of the payload if any. */
export function seedTextLines(frame: CapturedFrame, summary: PacketSummary): string[] {
  return [seedEndpointLine(frame.direction, summary), ...seedHexdumpLines(payloadBytes(frame, summary))];
}

/** The same as one block of text, newline-terminated, ready to write to stdout. */
export function formatSeedText(frame: CapturedFrame, summary: PacketSummary): string {
  return seedTextLines(frame, summary).join('\n') + '\n';
}

/** One element of the seed's `-j` JSON array; the first six keys are the seed's, in its order. */
export interface SeedJsonRecord {
  payload: string;
  src_port: string;
  interface: string;
  src: string;
  dst: string;
  dst_port: string;
  /** ISO 8601 UTC with microseconds: `2024-05-01T12:00:00.123456Z`. */
  time: string;
  direction: Direction;
  protocol: string;
  info: string;
  /** Frame length on the wire. */
  length: number;
}

export function isoTimeWithMicroseconds(tsSec: number, tsUsec: number): string {
  const iso = new Date(tsSec * 1000).toISOString(); // 2024-05-01T12:00:00.000Z
  return `${iso.slice(0, 19)}.${String(Math.min(Math.max(Math.floor(tsUsec), 0), 999999)).padStart(6, '0')}Z`;
}

/** `hex`: lower-case hex of the payload; the CLI passes Node's native encoder (a million payloads a run). */
export function toSeedJsonRecord(frame: CapturedFrame, summary: PacketSummary, hex: (bytes: Uint8Array) => string = toHex): SeedJsonRecord {
  const payload = payloadBytes(frame, summary);
  return {
    payload: hex(payload),
    src_port: summary.srcPort === undefined ? '' : String(summary.srcPort),
    interface: frame.interfaceName,
    src: summary.src,
    dst: summary.dst,
    dst_port: summary.dstPort === undefined ? '' : String(summary.dstPort),
    time: isoTimeWithMicroseconds(frame.tsSec, frame.tsUsec),
    direction: frame.direction,
    protocol: summary.protocol,
    info: summary.info,
    length: frame.originalLength,
  };
}

/** One `--ndjson` line: the record as compact JSON plus a newline. */
export function toNdjsonLine(record: SeedJsonRecord): string {
  return JSON.stringify(record) + '\n';
}

/** The whole `-j` output, indented by 3 as the seed printed it. */
export function formatSeedJsonArray(records: readonly SeedJsonRecord[]): string {
  return JSON.stringify(records, null, 3);
}
