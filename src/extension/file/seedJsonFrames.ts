/**
 * Turns a saved JSON capture back into frames for the inspector. Files saved by
 * this extension carry the whole frame (`frame`, hex) and round-trip exactly.
 * Files in the seed's original format only have addresses, ports and the
 * payload: a plausible Ethernet/IP/TCP-or-UDP frame is rebuilt around them
 * (UDP for well-known UDP ports, else TCP; the seed did not record which).
 */
import { LinkType, type CapturedFrame, type Direction } from '../../core/packet';

export interface JsonCaptureResult {
  frames: CapturedFrame[];
  /** Records that could not be read, with why (first few). */
  problems: string[];
}

const UDP_PORTS = new Set([53, 67, 68, 69, 123, 137, 138, 161, 162, 500, 514, 1900, 4789, 5353, 5355]);

export function framesFromJsonText(text: string): JsonCaptureResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { frames: [], problems: [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const records = Array.isArray(parsed) ? parsed : undefined;
  if (!records) return { frames: [], problems: ['expected a JSON array of packet records'] };
  const frames: CapturedFrame[] = [];
  const problems: string[] = [];
  records.forEach((r: unknown, i) => {
    try {
      frames.push(frameFromRecord(r, i));
    } catch (e) {
      if (problems.length < 5) problems.push(`record ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return { frames, problems };
}

export function frameFromRecord(raw: unknown, index: number): CapturedFrame {
  if (typeof raw !== 'object' || raw === null) throw new Error('not an object');
  const r = raw as Record<string, unknown>;
  const direction: Direction = r.direction === 'in' || r.direction === 'IN' ? 'in' : 'out';
  const interfaceName = typeof r.interface === 'string' && r.interface ? r.interface.slice(0, 255) : 'file';
  const { tsSec, tsUsec } = timestampOf(r, index);
  if (typeof r.frame === 'string' && r.frame.length > 0) {
    const data = hexToBytes(r.frame);
    const linkType = typeof r.link_type === 'number' ? r.link_type : LinkType.ETHERNET;
    const originalLength = typeof r.original_length === 'number' && r.original_length >= data.length ? r.original_length : data.length;
    return { tsSec, tsUsec, interfaceName, direction, linkType, originalLength, data };
  }
  const src = stringField(r, 'src');
  const dst = stringField(r, 'dst');
  const payload = typeof r.payload === 'string' ? hexToBytes(r.payload) : new Uint8Array(0);
  const srcPort = portOf(r.src_port);
  const dstPort = portOf(r.dst_port);
  const protocol = typeof r.protocol === 'string' ? r.protocol.toUpperCase() : '';
  const udp = protocol === 'UDP' || protocol === 'DNS' || (protocol !== 'TCP' && (UDP_PORTS.has(srcPort) || UDP_PORTS.has(dstPort)));
  const data = buildFrame(src, dst, srcPort, dstPort, udp, payload);
  return { tsSec, tsUsec, interfaceName, direction, linkType: LinkType.ETHERNET, originalLength: data.length, data };
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error('hex field is not valid hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function stringField(r: Record<string, unknown>, key: string): string {
  const v = r[key];
  if (typeof v !== 'string' || !v) throw new Error(`missing "${key}"`);
  return v;
}

function portOf(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v ? Number(v) : 0;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : 0;
}

/**
 * `time` if present (ISO 8601 text, as Save writes it, or seconds since the
 * epoch), else one millisecond apart by record order.
 */
function timestampOf(r: Record<string, unknown>, index: number): { tsSec: number; tsUsec: number } {
  if (typeof r.time === 'string') {
    const exact = parseIsoTime(r.time);
    if (exact) return exact;
  }
  const t = typeof r.time === 'number' ? r.time : typeof r.timestamp === 'number' ? r.timestamp : NaN;
  if (Number.isFinite(t) && t >= 0) {
    const tsSec = Math.floor(t);
    return { tsSec, tsUsec: Math.min(999_999, Math.round((t - tsSec) * 1e6)) };
  }
  return { tsSec: Math.floor(index / 1000), tsUsec: (index % 1000) * 1000 };
}

const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * ISO 8601 to the microsecond. Date.parse keeps milliseconds only (313640 µs
 * would come back as 313000), so the whole seconds go through Date.parse and
 * the fraction is read as digits: beyond six it is cut, as pcap's microsecond
 * resolution is all a frame can hold. Undefined when the text is not ISO.
 */
export function parseIsoTime(text: string): { tsSec: number; tsUsec: number } | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  const zone = m[3]!.toUpperCase() === 'Z' ? 'Z' : m[3]!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}${zone}`);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return { tsSec: ms / 1000, tsUsec: Number((m[2] ?? '').slice(0, 6).padEnd(6, '0')) };
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  if (!text.includes(':')) return undefined;
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const group = (s: string): number[] => (s ? s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const h = group(head);
  const t = tail === undefined ? [] : group(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...new Array<number>(Math.max(0, fill)).fill(0), ...t];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function checksum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (i + 1 < end ? (bytes[i + 1] ?? 0) : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet (zero MACs) + IPv4 or IPv6 + TCP (PSH,ACK) or UDP + payload. */
function buildFrame(src: string, dst: string, srcPort: number, dstPort: number, udp: boolean, payload: Uint8Array): Uint8Array {
  const v4 = [parseIPv4(src), parseIPv4(dst)];
  const v6 = [parseIPv6(src), parseIPv6(dst)];
  const isV4 = Boolean(v4[0] && v4[1]);
  if (!isV4 && !(v6[0] && v6[1])) throw new Error(`"${src}" -> "${dst}" are not IP addresses of one family`);
  const l4Length = (udp ? 8 : 20) + payload.length;
  const ipLength = isV4 ? 20 : 40;
  const frame = new Uint8Array(14 + ipLength + l4Length);
  const v = new DataView(frame.buffer);
  v.setUint16(12, isV4 ? 0x0800 : 0x86dd);
  const ip = 14;
  const proto = udp ? 17 : 6;
  if (isV4) {
    frame[ip] = 0x45;
    v.setUint16(ip + 2, ipLength + l4Length);
    v.setUint16(ip + 6, 0x4000);
    frame[ip + 8] = 64;
    frame[ip + 9] = proto;
    frame.set(v4[0] as number[], ip + 12);
    frame.set(v4[1] as number[], ip + 16);
    v.setUint16(ip + 10, checksum(frame, ip, ip + 20));
  } else {
    v.setUint32(ip, 0x60000000);
    v.setUint16(ip + 4, l4Length);
    frame[ip + 6] = proto;
    frame[ip + 7] = 64;
    frame.set(v6[0] as number[], ip + 8);
    frame.set(v6[1] as number[], ip + 24);
  }
  const l4 = ip + ipLength;
  v.setUint16(l4, srcPort);
  v.setUint16(l4 + 2, dstPort);
  if (udp) {
    v.setUint16(l4 + 4, l4Length);
  } else {
    frame[l4 + 12] = 5 << 4;
    frame[l4 + 13] = 0x18; // PSH, ACK
    v.setUint16(l4 + 14, 65535);
  }
  frame.set(payload, l4 + (udp ? 8 : 20));
  // Pseudo-header checksum so the rebuilt frame does not show as corrupt.
  const addrStart = isV4 ? ip + 12 : ip + 8;
  const addrEnd = isV4 ? ip + 20 : ip + 40;
  let pseudo = proto + l4Length;
  for (let i = addrStart; i < addrEnd; i += 2) pseudo += ((frame[i] ?? 0) << 8) | (frame[i + 1] ?? 0);
  const sum = checksum(frame, l4, frame.length, pseudo);
  v.setUint16(l4 + (udp ? 6 : 16), udp && sum === 0 ? 0xffff : sum);
  return frame;
}
