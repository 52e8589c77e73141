/**
 * Inputs for the decoder fuzzer: a seeded PRNG, frames built layer by layer
 * (so mutations land deep inside IPv4/IPv6/TCP/UDP/DNS/HTTP/TLS, not only in
 * the Ethernet header), real frames from test/fixtures, and mutators that
 * truncate, extend, flip bits and plant "interesting" lengths.
 *
 * Every case is generated from its own 32-bit seed, so a failure prints that
 * seed and the case replays alone (DNC_FUZZ_CASE_SEED=0x...).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPcapFile } from '../../src/core/pcap/pcapReader';

/** mulberry32: tiny, fast, good enough to spread mutations; deterministic per seed. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** A per-case seed from the run seed and the case number (splitmix-like mixing). */
export function caseSeed(runSeed: number, index: number): number {
  let z = (runSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function toHexString(bytes: Uint8Array, max = 4096): string {
  return Buffer.from(bytes.subarray(0, max)).toString('hex') + (bytes.length > max ? `... (${bytes.length} bytes)` : '');
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const u16be = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

// --- application payloads -------------------------------------------------

function dnsMessage(r: Prng): Uint8Array {
  const name = (): number[] => {
    const out: number[] = [];
    for (let i = 0, n = 1 + r.int(3); i < n; i++) {
      const k = r.int(4);
      const label = ascii(k === 0 ? 'www' : k === 1 ? 'example' : k === 2 ? 'svc' : 'a'.repeat(1 + r.int(63)));
      out.push(label.length, ...label);
    }
    out.push(0);
    return out;
  };
  const answers = r.int(3);
  const body: number[] = [...u16be(r.u32() & 0xffff), answers ? 0x81 : 0x01, 0x80, 0, 1, 0, answers, 0, 0, 0, 0];
  body.push(...name(), ...u16be(r.pick([1, 28, 5, 12, 16, 33, 255])), 0, 1);
  for (let i = 0; i < answers; i++) {
    // Compressed pointer back to the question name; sometimes a pointer loop.
    body.push(0xc0, r.int(8) === 0 ? body.length : 12);
    const type = r.pick([1, 28, 5]);
    const rdata = type === 1 ? [10, 0, 0, r.int(256)] : type === 28 ? [...r.bytes(16)] : [3, 119, 119, 119, 0xc0, 12];
    body.push(...u16be(type), 0, 1, 0, 0, 0, 60, ...u16be(rdata.length), ...rdata);
  }
  return new Uint8Array(body);
}

function httpPayload(r: Prng): Uint8Array {
  switch (r.int(5)) {
    case 0: return ascii('GET /index.html HTTP/1.1\r\nHost: 172.31.1.2\r\nUser-Agent: fuzz\r\n\r\n');
    case 1: return ascii('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    case 2: return ascii('POST /api HTTP/1.0\r\n' + 'X: '.padEnd(2 + r.int(300), 'y') + '\r\n\r\n');
    case 3: return ascii('HTTP/1.1 404 Not Found\r\n');
    default: return ascii('GET ' + '/'.repeat(r.int(2000)));
  }
}

function tlsClientHello(r: Prng): Uint8Array {
  const k = r.int(3);
  const host = ascii(k === 0 ? 'server.test' : k === 1 ? 'x' : 'a'.repeat(200));
  const sni = [0, 0, ...u16be(host.length + 5), ...u16be(host.length + 3), 0, ...u16be(host.length), ...host];
  const extensions = [...u16be(sni.length), ...sni];
  const hello = [3, 3, ...r.bytes(32), 0, 0, 2, 0x13, 0x01, 1, 0, ...extensions];
  const handshake = [1, 0, ...u16be(hello.length), ...hello];
  return new Uint8Array([0x16, 3, 1, ...u16be(handshake.length), ...handshake]);
}

// --- transport / network / link --------------------------------------------

function transport(r: Prng): { protocol: number; bytes: Uint8Array } {
  const kind = r.int(6);
  if (kind === 0 || kind === 1) {
    const dns = kind === 1;
    const payload = dns ? dnsMessage(r) : r.bytes(r.int(64));
    const ports = dns ? [u16be(40000 + r.int(1000)), u16be(53)] : [u16be(r.int(65536)), u16be(r.int(65536))];
    if (r.int(2)) ports.reverse();
    return { protocol: 17, bytes: concat(new Uint8Array([...(ports[0] ?? []), ...(ports[1] ?? []), ...u16be(8 + payload.length), 0, 0]), payload) };
  }
  if (kind === 2 || kind === 3) {
    const payload = kind === 2 ? httpPayload(r) : tlsClientHello(r);
    const port = kind === 2 ? 80 : 443;
    const options = r.int(3) === 0 ? [2, 4, 5, 0xb4, 1, 1, 8, 10, ...r.bytes(8), 1, 3, 3, 7] : [];
    const offset = (20 + options.length) / 4;
    const header = [...u16be(50000 + r.int(1000)), ...u16be(port), ...r.bytes(8), offset << 4, r.pick([0x02, 0x12, 0x18, 0x10, 0x11, 0x04, 0x1ff & 0xff]), ...u16be(65535), 0, 0, 0, 0, ...options];
    return { protocol: 6, bytes: concat(new Uint8Array(header), payload) };
  }
  if (kind === 4) return { protocol: 1, bytes: new Uint8Array([r.pick([0, 8, 3, 11]), r.int(16), 0, 0, ...r.bytes(4 + r.int(60))]) };
  return { protocol: r.pick([58, 2, 47, 132, 255]), bytes: r.bytes(r.int(48)) };
}

function ipv4Packet(r: Prng): Uint8Array {
  const t = transport(r);
  const optionWords = r.int(4) === 0 ? 1 + r.int(3) : 0;
  const total = 20 + optionWords * 4 + t.bytes.length;
  const flags = r.int(4) === 0 ? [0x20 | r.int(32), r.int(256)] : [0x40, 0];
  const header = [0x45 + optionWords, 0, ...u16be(total), ...u16be(r.int(65536)), ...flags, 64, t.protocol, 0, 0, 172, 31, r.int(256), 2, 172, 31, r.int(256), 3];
  for (let i = 0; i < optionWords * 4; i++) header.push(r.pick([1, 0, 7, 68, 130]));
  return concat(new Uint8Array(header), t.bytes);
}

function ipv6Packet(r: Prng): Uint8Array {
  let t = transport(r);
  if (t.protocol === 1) t = { protocol: 58, bytes: new Uint8Array([r.pick([128, 129, 135, 136, 1]), 0, 0, 0, ...r.bytes(4 + r.int(40))]) };
  let next = t.protocol;
  let body = t.bytes;
  // Extension headers: hop-by-hop, routing, fragment, destination options.
  for (let i = 0, n = r.int(3); i < n; i++) {
    const ext = r.pick([0, 43, 44, 60]);
    const extBody = ext === 44 ? new Uint8Array([next, 0, r.int(256), r.int(256), ...r.bytes(4)]) : new Uint8Array([next, 0, ...r.bytes(6)]);
    body = concat(extBody, body);
    next = ext;
  }
  const header = [0x60, 0, 0, 0, ...u16be(body.length), next, 64, 0xfd, 0, 0xdc, 0, ...r.bytes(12), 0xfd, 0, 0xdc, 0, ...r.bytes(12)];
  return concat(new Uint8Array(header), body);
}

function arpPacket(r: Prng): Uint8Array {
  return new Uint8Array([0, 1, 8, 0, 6, 4, 0, r.pick([1, 2]), ...r.bytes(6), 172, 31, 1, 2, ...r.bytes(6), 172, 31, 1, 3]);
}

function networkPayload(r: Prng): { etherType: number; bytes: Uint8Array } {
  const k = r.int(10);
  if (k < 5) return { etherType: 0x0800, bytes: ipv4Packet(r) };
  if (k < 8) return { etherType: 0x86dd, bytes: ipv6Packet(r) };
  if (k < 9) return { etherType: 0x0806, bytes: arpPacket(r) };
  return { etherType: r.pick([0x88cc, 0x0042, 0x8100, 0x9000]), bytes: r.bytes(r.int(60)) };
}

/** A well-formed frame of a random link type, possibly VLAN-tagged. */
export function buildFrame(r: Prng): { linkType: number; data: Uint8Array } {
  const net = networkPayload(r);
  const linkType = r.pick([1, 1, 1, 1, 113, 276, 101, 12, 228, 229, 0, 147]);
  const mac = (): number[] => [0x02, 0x42, ...r.bytes(4)];
  switch (linkType) {
    case 1: {
      const tags: number[] = [];
      for (let i = 0, n = r.int(4) === 0 ? 1 + r.int(5) : 0; i < n; i++) tags.push(...u16be(r.pick([0x8100, 0x88a8])), ...u16be(r.int(4096)));
      return { linkType, data: concat(new Uint8Array([...mac(), ...mac(), ...tags, ...u16be(net.etherType)]), net.bytes) };
    }
    case 113:
      return { linkType, data: concat(new Uint8Array([0, r.int(5), 0, 1, 0, 6, ...mac(), 0, 0, ...u16be(net.etherType)]), net.bytes) };
    case 276:
      return { linkType, data: concat(new Uint8Array([...u16be(net.etherType), 0, 0, 0, 0, 0, r.int(9), 0, 1, r.int(5), 6, ...mac(), 0, 0]), net.bytes) };
    case 0:
      return { linkType, data: concat(new Uint8Array(net.etherType === 0x86dd ? [30, 0, 0, 0] : [2, 0, 0, 0]), net.bytes) };
    case 228:
      return { linkType, data: ipv4Packet(r) };
    case 229:
      return { linkType, data: ipv6Packet(r) };
    default:
      return { linkType, data: net.bytes };
  }
}

// --- mutation ---------------------------------------------------------------

const INTERESTING_16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000, 0x40001];

/** One to eight mutations: bit flips, interesting values, truncation, extension, splices. */
export function mutate(r: Prng, input: Uint8Array): Uint8Array {
  let d: Uint8Array = input.slice();
  for (let i = 0, n = 1 + r.int(8); i < n; i++) {
    const at = d.length ? r.int(d.length) : 0;
    switch (r.int(9)) {
      case 0:
        if (d.length) d[at] = (d[at] as number) ^ (1 << r.int(8));
        break;
      case 1:
        if (d.length) d[at] = r.pick([0, 0xff, 0x7f, 0x80, 0x40, 0x0f]);
        break;
      case 2:
        if (d.length >= 2) new DataView(d.buffer).setUint16(Math.min(at, d.length - 2), r.pick(INTERESTING_16), r.int(2) === 0);
        break;
      case 3:
        if (d.length >= 4) new DataView(d.buffer).setUint32(Math.min(at, d.length - 4), r.pick(INTERESTING_32), r.int(2) === 0);
        break;
      case 4:
        d = d.slice(0, r.int(d.length + 1));
        break;
      case 5:
        d = concat(d, r.bytes(1 + r.int(64)));
        break;
      case 6:
        d = concat(d.subarray(0, at), d.subarray(Math.min(d.length, at + 1 + r.int(8))));
        break;
      case 7:
        d = concat(d.subarray(0, at), r.bytes(1 + r.int(8)), d.subarray(at));
        break;
      default: {
        // Copy a block over another part of the frame (repeats headers, confuses lengths).
        if (d.length > 4) {
          const from = r.int(d.length);
          const len = 1 + r.int(Math.min(32, d.length - from));
          d.copyWithin(r.int(d.length), from, from + len);
        }
      }
    }
  }
  return d;
}

/** Frames of the repository's real captures (test/fixtures/*.pcap), as mutation seeds. */
export function fixtureFrames(repo: string): { linkType: number; data: Uint8Array }[] {
  const dir = join(repo, 'test', 'fixtures');
  const frames: { linkType: number; data: Uint8Array }[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.pcap')).sort()) {
    const file = readPcapFile(new Uint8Array(readFileSync(join(dir, name))));
    for (const rec of file.records.slice(0, 200)) frames.push({ linkType: rec.linkType, data: rec.data.slice() });
  }
  return frames;
}

// --- pcap streams -------------------------------------------------------------

export interface GeneratedStream {
  bytes: Uint8Array;
  /** What a correct reader must report (undefined: a clean stream). */
  expect?: 'unsupported-format' | 'malformed' | 'truncated' | 'any';
  /** Records a clean reader returns before the problem (for exact checks). */
  goodRecords: number;
}

function pcapHeader(r: Prng, linkType: number, snap: number, littleEndian: boolean, nano: boolean): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, littleEndian);
  v.setUint16(4, 2, littleEndian);
  v.setUint16(6, 4, littleEndian);
  v.setUint32(16, snap, littleEndian);
  v.setUint32(20, linkType, littleEndian);
  void r;
  return b;
}

function pcapRecord(r: Prng, data: Uint8Array, littleEndian: boolean): Uint8Array {
  const b = new Uint8Array(16 + data.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 1_700_000_000 + r.int(1000), littleEndian);
  v.setUint32(4, r.int(1_000_000), littleEndian);
  v.setUint32(8, data.length, littleEndian);
  v.setUint32(12, data.length + r.int(2) * r.int(100), littleEndian);
  b.set(data, 16);
  return b;
}

/** A pcap stream, clean or broken in one known way, or mutated blindly. */
export function buildStream(r: Prng): GeneratedStream {
  const le = r.int(4) !== 0;
  const nano = r.int(5) === 0;
  const snap = r.pick([0, 65535, 262144, 96, 0xffffffff]);
  const frames: Uint8Array[] = [];
  for (let i = 0, n = r.int(12); i < n; i++) {
    const f = buildFrame(r).data;
    frames.push(snap > 0 && snap < f.length ? f.subarray(0, snap) : f);
  }
  const header = pcapHeader(r, r.pick([1, 113, 276, 101]), snap, le, nano);
  const clean = concat(header, ...frames.map((f) => pcapRecord(r, f, le)));
  const recordEnd = (k: number): number => 24 + frames.slice(0, k).reduce((n, f) => n + 16 + f.length, 0);
  switch (r.int(8)) {
    case 0:
      return { bytes: clean, goodRecords: frames.length };
    case 1: {
      // Wrong magic (random or pcapng's): nothing may be read as a record. A pcap body
      // behind pcapng's block type is read as pcapng, whose section header then lacks
      // its byte-order magic (a pcap header has thiszone there): malformed.
      const b = clean.slice();
      const pcapngType = r.int(2) === 1;
      if (pcapngType) b.set([0x0a, 0x0d, 0x0d, 0x0a], 0);
      else new DataView(b.buffer).setUint32(0, r.u32() | 1);
      const magic = new DataView(b.buffer).getUint32(0, true);
      const valid = [0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(magic);
      if (valid) return { bytes: clean, goodRecords: frames.length };
      if (pcapngType) return { bytes: b, expect: b.length >= 12 ? 'malformed' : 'truncated', goodRecords: 0 };
      return { bytes: b, expect: b.length >= 24 ? 'unsupported-format' : 'truncated', goodRecords: 0 };
    }
    case 2: {
      // A huge record length after k good records.
      const k = r.int(frames.length + 1);
      const b = clean.slice(0, recordEnd(k));
      const bad = pcapRecord(r, r.bytes(8), le);
      new DataView(bad.buffer).setUint32(8, r.pick([0x40001, 0x7fffffff, 0xffffffff, 0x10000000]), le);
      return { bytes: concat(b, bad), expect: 'malformed', goodRecords: k };
    }
    case 3: {
      // Cut anywhere strictly inside the stream.
      if (clean.length <= 24 && r.int(2)) return { bytes: clean.subarray(0, r.int(24)), expect: 'truncated', goodRecords: 0 };
      const cut = r.int(clean.length);
      let complete = 0;
      while (complete < frames.length && recordEnd(complete + 1) <= cut) complete++;
      const exact = cut >= 24 && recordEnd(complete) === cut;
      return { bytes: clean.subarray(0, cut), expect: exact ? undefined : 'truncated', goodRecords: complete };
    }
    case 4:
      return { bytes: r.bytes(r.int(4096)), expect: 'any', goodRecords: 0 };
    default:
      return { bytes: mutate(r, clean), expect: 'any', goodRecords: 0 };
  }
}

/** Splits `bytes` into 1..n chunks at random points, the way a pipe delivers them. */
export function randomChunks(r: Prng, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    const n = r.int(3) === 0 ? 1 + r.int(32) : 1 + r.int(Math.max(1, bytes.length));
    chunks.push(bytes.subarray(o, Math.min(bytes.length, o + n)));
    o += n;
  }
  return chunks;
}
