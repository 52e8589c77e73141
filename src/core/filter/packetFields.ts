/**
 * The Wireshark fields users type most, read on demand from the frame bytes
 * the packet store keeps (not stored per packet: a filter over a million
 * packets reads only what its fields need). Each reader returns the field's
 * value, or -1 / undefined when the packet has no such field, which no
 * comparison matches (as in Wireshark, `tcp.len != 0` is false for UDP).
 * Application fields are read from the first segment alone: with no TCP
 * reassembly, an HTTP response split over segments has its code in the first.
 */
import { clientHelloServerName, isHttpStart, isTlsRecordStart } from '../decode/application';
import { LinkType } from '../packet';
import type { PacketColumns } from '../packetStore';
import { NetworkLayer } from './frameFields';

const IP_TCP = 6;

/** The frame's bytes live in `chunk` from `start` to `end`. */
interface FrameView {
  chunk: Uint8Array;
  start: number;
  end: number;
}

export function frameView(c: PacketColumns, s: number): FrameView | undefined {
  const chunk = c.chunks[c.chunkIndex[s] ?? 0];
  if (!chunk) return void c.missingBytes(s);
  const start = c.chunkOffset[s] ?? 0;
  return { chunk, start, end: start + (c.capturedLength[s] ?? 0) };
}

/**
 * Where the transport header starts (frame-relative), -1 when unknown; the frame's bytes
 * begin at `chunk[start]`. Takes the chunk and offset rather than a view so that code
 * reading every packet (the stream table) allocates nothing per packet.
 */
export function transportOffset(c: PacketColumns, s: number, chunk: Uint8Array, start: number): number {
  const network = c.network[s];
  const at = c.networkOffset[s] ?? 0;
  if (network === NetworkLayer.IPV4) return at + ((chunk[start + at] ?? 0) & 0x0f) * 4;
  if (network !== NetworkLayer.IPV6) return -1;
  // Same walk as frameFields' readIpv6: the extension headers that carry a length.
  let next = chunk[start + at + 6] ?? -1;
  let p = at + 40;
  for (let i = 0; i < 8; i++) {
    if (next === 0 || next === 43 || next === 60) {
      next = chunk[start + p] ?? -1;
      p += ((chunk[start + p + 1] ?? 0) + 1) * 8;
    } else if (next === 44) {
      next = chunk[start + p] ?? -1;
      p += 8;
    } else {
      break;
    }
  }
  return p;
}

/** The 12 TCP flag bits (FIN 0x001 ... CWR 0x080, AE 0x100), -1 when not TCP. */
export function tcpFlags(c: PacketColumns, s: number): number {
  if (c.ipProtocol[s] !== IP_TCP || (c.srcPort[s] ?? -1) < 0) return -1;
  const f = frameView(c, s);
  if (!f) return -1;
  const t = transportOffset(c, s, f.chunk, f.start);
  if (t < 0 || f.start + t + 14 > f.end) return -1;
  return (((f.chunk[f.start + t + 12] ?? 0) & 0x0f) << 8) | (f.chunk[f.start + t + 13] ?? 0);
}

export const TCP_FLAG_BITS: Record<string, number> = { fin: 0x001, syn: 0x002, reset: 0x004, push: 0x008, ack: 0x010, urg: 0x020, ece: 0x040, cwr: 0x080, ae: 0x100 };

/** TCP segment length (payload bytes inside the IP packet), -1 when not TCP. */
export function tcpLength(c: PacketColumns, s: number): number {
  if (c.ipProtocol[s] !== IP_TCP || (c.srcPort[s] ?? -1) < 0) return -1;
  return c.payloadLength[s] ?? 0;
}

function payloadView(c: PacketColumns, s: number): FrameView | undefined {
  const length = c.payloadLength[s] ?? 0;
  if (length === 0) return undefined;
  const chunk = c.chunks[c.chunkIndex[s] ?? 0];
  if (!chunk) return void c.missingBytes(s);
  const start = (c.chunkOffset[s] ?? 0) + (c.payloadOffset[s] ?? 0);
  return { chunk, start, end: Math.min(chunk.length, start + length) };
}

function ascii(d: Uint8Array, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += String.fromCharCode(d[i] ?? 0);
  return text;
}

/** The HTTP request or status line of a TCP payload that opens with one. */
function httpFirstLine(c: PacketColumns, s: number): string | undefined {
  if (c.ipProtocol[s] !== IP_TCP) return undefined;
  const p = payloadView(c, s);
  if (!p || !isHttpStart(p.chunk, p.start, p.end)) return undefined;
  let e = p.start;
  const limit = Math.min(p.end, p.start + 2048);
  while (e < limit && p.chunk[e] !== 0x0d && p.chunk[e] !== 0x0a) e++;
  return ascii(p.chunk, p.start, e);
}

export function httpRequestMethod(c: PacketColumns, s: number): string | undefined {
  const line = httpFirstLine(c, s);
  return line && !line.startsWith('HTTP/') ? line.split(' ')[0] : undefined;
}

export function httpRequestUri(c: PacketColumns, s: number): string | undefined {
  const line = httpFirstLine(c, s);
  return line && !line.startsWith('HTTP/') ? line.split(' ')[1] : undefined;
}

export function httpResponseCode(c: PacketColumns, s: number): number {
  const line = httpFirstLine(c, s);
  if (!line?.startsWith('HTTP/')) return -1;
  const code = line.split(' ')[1] ?? '';
  return /^\d{3}$/.test(code) ? Number(code) : -1;
}

/** The first question's name of a DNS message (UDP, or TCP after its 2-byte length). */
export function dnsQueryName(c: PacketColumns, s: number, isDns: (c: PacketColumns, s: number) => boolean): string | undefined {
  if (!isDns(c, s)) return undefined;
  const p = payloadView(c, s);
  if (!p) return undefined;
  const msg = c.ipProtocol[s] === IP_TCP ? p.start + 2 : p.start;
  if (msg + 12 > p.end || (((p.chunk[msg + 4] ?? 0) << 8) | (p.chunk[msg + 5] ?? 0)) === 0) return undefined;
  let name = '';
  let q = msg + 12;
  for (let jumps = 0; jumps < 16; ) {
    const length = p.chunk[q] ?? 0;
    if (q >= p.end) return undefined;
    if (length === 0) break;
    if ((length & 0xc0) === 0xc0) {
      q = msg + ((((length & 0x3f) << 8) | (p.chunk[q + 1] ?? 0)));
      jumps++;
      continue;
    }
    if (q + 1 + length > p.end) return undefined;
    name += (name ? '.' : '') + ascii(p.chunk, q + 1, q + 1 + length);
    q += 1 + length;
  }
  return name || '<Root>';
}

/** The server name (SNI) of a TLS ClientHello that opens the TCP payload. */
export function tlsServerName(c: PacketColumns, s: number): string | undefined {
  if (c.ipProtocol[s] !== IP_TCP) return undefined;
  const p = payloadView(c, s);
  if (!p || !isTlsRecordStart(p.chunk, p.start, p.end) || p.chunk[p.start] !== 22 || p.chunk[p.start + 5] !== 1) return undefined;
  // Read inside a copy that starts at the record: the decoder's offsets are frame-relative.
  return clientHelloServerName(p.chunk.subarray(p.start, p.end), 5, p.end - p.start);
}

/** Ethernet source (6) or destination (0) address as `02:42:ac:11:00:02`; undefined on other links. */
export function ethAddress(c: PacketColumns, s: number, at: 0 | 6): string | undefined {
  if (c.linkType[s] !== LinkType.ETHERNET) return undefined;
  const f = frameView(c, s);
  if (!f || f.start + 14 > f.end) return undefined;
  let text = '';
  for (let i = 0; i < 6; i++) text += (i ? ':' : '') + (f.chunk[f.start + at + i] ?? 0).toString(16).padStart(2, '0');
  return text;
}

/** The whole frame's bytes as a view (for `frame contains` and `frame matches`). */
export function frameBytes(c: PacketColumns, s: number): Uint8Array | undefined {
  const f = frameView(c, s);
  return f ? f.chunk.subarray(f.start, f.end) : undefined;
}

/** The TCP/UDP payload as a view. */
export function payloadBytes(c: PacketColumns, s: number): Uint8Array | undefined {
  const p = payloadView(c, s);
  return p ? p.chunk.subarray(p.start, p.end) : undefined;
}
