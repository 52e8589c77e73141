/**
 * Deterministic synthetic traffic for the benchmarks: Ethernet/IPv4 frames of
 * TCP (some HTTP), UDP and DNS (real queries and answers), payloads of
 * 0..1400 bytes skewed towards small ones (1400·u³, mean ~350 B) the way real
 * traffic is mostly small. The same seed gives the same bytes on every machine,
 * so figures of different runs are about the same input.
 */

/** mulberry32: small, fast, good enough for test data; never for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The "container" side: frames from this MAC are egress for a pipeline spec listing it. */
export const CONTAINER_MAC = '02:42:ac:11:00:02';
const CONTAINER_MAC_BYTES = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
const PEER_MAC_BYTES = [0x02, 0x42, 0xac, 0x11, 0x00, 0x03];
const CONTAINER_IP = [172, 17, 0, 2];
const MAX_PAYLOAD = 1400;
const DNS_NAMES = ['api.example.test', 'db.internal.test', 'cache.internal.test', 'a-much-longer-service-name.cluster.local.test'];

export interface SyntheticFrame {
  data: Uint8Array;
  tsSec: number;
  tsUsec: number;
}

/** Produces frames one by one into a reused scratch buffer (copy what you keep). */
export class SyntheticTraffic {
  private readonly random: () => number;
  private readonly scratch = new Uint8Array(14 + 20 + 20 + MAX_PAYLOAD + 512);
  private usec = 0;
  private readonly startSec: number;

  constructor(seed = 5, startSec = 1_700_000_000) {
    this.random = seededRandom(seed);
    this.startSec = startSec;
  }

  next(): SyntheticFrame {
    const r = this.random;
    // ~10 µs apart on average, like a busy link.
    this.usec += 1 + Math.floor(r() * 19);
    const outbound = r() < 0.5;
    const kind = r();
    let length: number;
    if (kind < 0.2) length = this.dns(outbound);
    else if (kind < 0.6) length = this.udp(outbound);
    else length = this.tcp(outbound);
    return { data: this.scratch.subarray(0, length), tsSec: this.startSec + Math.floor(this.usec / 1e6), tsUsec: this.usec % 1e6 };
  }

  private payloadLength(): number {
    const u = this.random();
    return Math.floor(MAX_PAYLOAD * u * u * u);
  }

  private fillPayload(at: number, length: number): void {
    const d = this.scratch;
    const seed = Math.floor(this.random() * 256);
    for (let i = 0; i < length; i++) d[at + i] = (seed + i * 31) & 0xff;
  }

  /** Ethernet + IPv4 headers; returns where the transport header starts. */
  private ip(outbound: boolean, protocol: number, ipPayload: number): number {
    const d = this.scratch;
    const src = outbound ? CONTAINER_MAC_BYTES : PEER_MAC_BYTES;
    const dst = outbound ? PEER_MAC_BYTES : CONTAINER_MAC_BYTES;
    d.set(dst, 0);
    d.set(src, 6);
    d[12] = 0x08;
    d[13] = 0x00;
    const total = 20 + ipPayload;
    d[14] = 0x45;
    d[15] = 0;
    d[16] = total >> 8;
    d[17] = total & 0xff;
    d[18] = 0;
    d[19] = 0;
    d[20] = 0x40;
    d[21] = 0;
    d[22] = 64;
    d[23] = protocol;
    d[24] = 0;
    d[25] = 0;
    const peer = [172, 17, 1 + Math.floor(this.random() * 8), 2 + Math.floor(this.random() * 200)];
    d.set(outbound ? CONTAINER_IP : peer, 26);
    d.set(outbound ? peer : CONTAINER_IP, 30);
    return 34;
  }

  private ports(at: number, outbound: boolean, service: number): void {
    const d = this.scratch;
    const ephemeral = 32768 + Math.floor(this.random() * 28000);
    const src = outbound ? ephemeral : service;
    const dst = outbound ? service : ephemeral;
    d[at] = src >> 8;
    d[at + 1] = src & 0xff;
    d[at + 2] = dst >> 8;
    d[at + 3] = dst & 0xff;
  }

  private udp(outbound: boolean): number {
    const payload = this.payloadLength();
    const at = this.ip(outbound, 17, 8 + payload);
    this.ports(at, outbound, 5000 + Math.floor(this.random() * 100));
    const d = this.scratch;
    d[at + 4] = (8 + payload) >> 8;
    d[at + 5] = (8 + payload) & 0xff;
    d[at + 6] = 0;
    d[at + 7] = 0;
    this.fillPayload(at + 8, payload);
    return at + 8 + payload;
  }

  private tcp(outbound: boolean): number {
    const r = this.random;
    const http = r() < 0.25;
    const text = http ? (outbound ? 'GET /api/items?page=2 HTTP/1.1\r\nHost: api\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n') : '';
    const payload = http ? text.length : this.payloadLength();
    const at = this.ip(outbound, 6, 20 + payload);
    this.ports(at, outbound, http ? 80 : r() < 0.5 ? 443 : 5432);
    const d = this.scratch;
    const seq = Math.floor(r() * 0xffffffff);
    d[at + 4] = seq >>> 24;
    d[at + 5] = (seq >>> 16) & 0xff;
    d[at + 6] = (seq >>> 8) & 0xff;
    d[at + 7] = seq & 0xff;
    d.fill(0, at + 8, at + 12);
    d[at + 12] = 0x50;
    d[at + 13] = payload > 0 ? 0x18 : r() < 0.1 ? 0x02 : 0x10;
    d[at + 14] = 0xfa;
    d[at + 15] = 0xf0;
    d.fill(0, at + 16, at + 20);
    if (http) for (let i = 0; i < text.length; i++) d[at + 20 + i] = text.charCodeAt(i);
    else this.fillPayload(at + 20, payload);
    return at + 20 + payload;
  }

  private dns(outbound: boolean): number {
    const r = this.random;
    const name = DNS_NAMES[Math.floor(r() * DNS_NAMES.length)] ?? 'a.test';
    const answers = outbound ? 0 : 1 + Math.floor(r() * 3);
    const message = 12 + name.length + 2 + 4 + answers * 16;
    const at = this.ip(outbound, 17, 8 + message);
    this.ports(at, outbound, 53);
    const d = this.scratch;
    d[at + 4] = (8 + message) >> 8;
    d[at + 5] = (8 + message) & 0xff;
    d[at + 6] = 0;
    d[at + 7] = 0;
    let o = at + 8;
    const id = Math.floor(r() * 65536);
    d[o] = id >> 8;
    d[o + 1] = id & 0xff;
    d[o + 2] = outbound ? 0x01 : 0x81;
    d[o + 3] = outbound ? 0x00 : 0x80;
    d[o + 4] = 0;
    d[o + 5] = 1;
    d[o + 6] = 0;
    d[o + 7] = answers;
    d.fill(0, o + 8, o + 12);
    o += 12;
    for (const label of name.split('.')) {
      d[o++] = label.length;
      for (let i = 0; i < label.length; i++) d[o++] = label.charCodeAt(i);
    }
    d[o++] = 0;
    d.set([0, 1, 0, 1], o);
    o += 4;
    for (let i = 0; i < answers; i++) {
      // Pointer to the question's name, type A, class IN, TTL 60, 4 bytes of address.
      d.set([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, i, 1 + Math.floor(r() * 250)], o);
      o += 16;
    }
    return o;
  }
}
