/**
 * Deterministic traffic shaped like a real container's: a few long TCP flows
 * (bulk transfers with their ACKs, sequence numbers that advance), HTTP request/
 * response exchanges on a kept-alive connection, a TLS session (ClientHello with
 * SNI, ServerHello, then application data), DNS queries and answers, and bursts of
 * UDP datagrams. The other generator (syntheticTraffic.ts) draws a fresh flow for
 * every TCP packet, which makes tcpdump's relative-sequence table the bulk of its
 * work; on this file tcpdump does the work it does on ordinary captures.
 */
import { seededRandom, type SyntheticFrame } from './syntheticTraffic';

const CONTAINER_MAC = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
const PEER_MAC = [0x02, 0x42, 0xac, 0x11, 0x00, 0x03];
const CONTAINER_IP = [172, 17, 0, 2];
const MSS = 1448;

interface TcpFlow {
  peerIp: number[];
  localPort: number;
  service: number;
  /** Next sequence number of each side. */
  localSeq: number;
  peerSeq: number;
}

const DNS_NAMES = ['api.example.test', 'db.internal.test', 'cache.internal.test', 'metrics.cluster.local.test'];
const HTTP_REQUEST = 'GET /api/items?page=2 HTTP/1.1\r\nHost: api.example.test\r\nUser-Agent: bench/1\r\nAccept: */*\r\n\r\n';
const HTTP_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2400\r\n\r\n';

export class RealisticTraffic {
  private readonly random: () => number;
  private readonly scratch = new Uint8Array(14 + 20 + 20 + MSS + 64);
  private usec = 0;
  private readonly startSec: number;
  private readonly bulk: TcpFlow[];
  private readonly http: TcpFlow;
  private readonly tls: TcpFlow;
  /** Frames of the exchange under way, produced one per `next()`. */
  private pending: (() => number)[] = [];
  private tlsStarted = false;

  constructor(seed = 7, startSec = 1_700_000_000) {
    this.random = seededRandom(seed);
    this.startSec = startSec;
    const flow = (peer: number, localPort: number, service: number): TcpFlow => ({
      peerIp: [172, 17, 0, peer], localPort, service, localSeq: Math.floor(this.random() * 2 ** 32), peerSeq: Math.floor(this.random() * 2 ** 32),
    });
    // Bulk payloads are random bytes: on ports tcpdump has no printer for, so neither side
    // spends time dissecting noise as an application protocol (6379 made tcpdump parse Redis).
    this.bulk = [flow(3, 41000, 5432), flow(4, 41002, 3306), flow(5, 41004, 9000)];
    this.http = flow(6, 41006, 80);
    this.tls = flow(7, 41008, 443);
  }

  next(): SyntheticFrame {
    this.usec += 1 + Math.floor(this.random() * 19);
    if (this.pending.length === 0) this.plan();
    const length = this.pending.shift()!();
    return { data: this.scratch.subarray(0, length), tsSec: this.startSec + Math.floor(this.usec / 1e6), tsUsec: this.usec % 1e6 };
  }

  /** Chooses the next exchange: mostly bulk TCP, then HTTP, TLS, DNS and UDP bursts. */
  private plan(): void {
    const k = this.random();
    if (k < 0.55) {
      const f = this.bulk[Math.floor(this.random() * this.bulk.length)]!;
      const segments = 2 + Math.floor(this.random() * 6);
      for (let i = 0; i < segments; i++) this.pending.push(() => this.tcp(f, false, 0x18, MSS));
      this.pending.push(() => this.tcp(f, true, 0x10, 0));
    } else if (k < 0.7) {
      const f = this.http;
      this.pending.push(() => this.tcp(f, true, 0x18, 0, HTTP_REQUEST));
      this.pending.push(() => this.tcp(f, false, 0x10, 0));
      this.pending.push(() => this.tcp(f, false, 0x18, 0, HTTP_RESPONSE));
      this.pending.push(() => this.tcp(f, false, 0x18, 1200));
      this.pending.push(() => this.tcp(f, false, 0x18, 1200));
      this.pending.push(() => this.tcp(f, true, 0x10, 0));
    } else if (k < 0.82) {
      const f = this.tls;
      if (!this.tlsStarted) {
        this.tlsStarted = true;
        this.pending.push(() => this.tcp(f, true, 0x18, 0, undefined, clientHello('api.example.test')));
        this.pending.push(() => this.tcp(f, false, 0x18, 0, undefined, tlsRecord(22, 2, 90)));
        this.pending.push(() => this.tcp(f, true, 0x10, 0));
      }
      const records = 1 + Math.floor(this.random() * 3);
      for (let i = 0; i < records; i++) this.pending.push(() => this.tcp(f, this.random() < 0.3, 0x18, 0, undefined, tlsRecord(23, -1, 200 + Math.floor(this.random() * 1000))));
    } else if (k < 0.92) {
      const name = DNS_NAMES[Math.floor(this.random() * DNS_NAMES.length)]!;
      const id = Math.floor(this.random() * 65536);
      const port = 32768 + Math.floor(this.random() * 28000);
      this.pending.push(() => this.dns(true, id, port, name));
      this.pending.push(() => this.dns(false, id, port, name));
    } else {
      const burst = 10 + Math.floor(this.random() * 30);
      const port = 5000 + Math.floor(this.random() * 4);
      for (let i = 0; i < burst; i++) this.pending.push(() => this.udp(port, 100 + Math.floor(this.random() * 1100)));
    }
  }

  /** Ethernet + IPv4 header; returns where the transport header starts. */
  private ip(outbound: boolean, peerIp: number[], protocol: number, ipPayload: number): number {
    const d = this.scratch;
    d.set(outbound ? PEER_MAC : CONTAINER_MAC, 0);
    d.set(outbound ? CONTAINER_MAC : PEER_MAC, 6);
    d[12] = 0x08;
    d[13] = 0x00;
    const total = 20 + ipPayload;
    d.set([0x45, 0, total >> 8, total & 0xff, 0, 0, 0x40, 0, 64, protocol, 0, 0], 14);
    d.set(outbound ? CONTAINER_IP : peerIp, 26);
    d.set(outbound ? peerIp : CONTAINER_IP, 30);
    return 34;
  }

  /** One TCP segment of `flow`; its payload is `text`, `bytes`, or `fill` bytes of filler. */
  private tcp(flow: TcpFlow, outbound: boolean, flags: number, fill: number, text?: string, bytes?: Uint8Array): number {
    const payload = text !== undefined ? text.length : bytes ? bytes.length : fill;
    const at = this.ip(outbound, flow.peerIp, 6, 20 + payload);
    const d = this.scratch;
    const src = outbound ? flow.localPort : flow.service;
    const dst = outbound ? flow.service : flow.localPort;
    const seq = outbound ? flow.localSeq : flow.peerSeq;
    const ack = outbound ? flow.peerSeq : flow.localSeq;
    d.set([src >> 8, src & 0xff, dst >> 8, dst & 0xff], at);
    put32(d, at + 4, seq);
    put32(d, at + 8, ack);
    d.set([0x50, flags, 0x01, 0xf6, 0, 0, 0, 0], at + 12);
    const body = at + 20;
    if (text !== undefined) for (let i = 0; i < text.length; i++) d[body + i] = text.charCodeAt(i);
    else if (bytes) d.set(bytes, body);
    else for (let i = 0; i < fill; i++) d[body + i] = (i * 31 + seq) & 0xff;
    if (outbound) flow.localSeq = (flow.localSeq + payload) >>> 0;
    else flow.peerSeq = (flow.peerSeq + payload) >>> 0;
    return body + payload;
  }

  private udp(port: number, payload: number): number {
    const at = this.ip(true, [172, 17, 0, 8], 17, 8 + payload);
    const d = this.scratch;
    d.set([0xa0, 0x00, port >> 8, port & 0xff, (8 + payload) >> 8, (8 + payload) & 0xff, 0, 0], at);
    for (let i = 0; i < payload; i++) d[at + 8 + i] = (i * 7) & 0xff;
    return at + 8 + payload;
  }

  private dns(query: boolean, id: number, port: number, name: string): number {
    const answers = query ? 0 : 2;
    const message = 12 + name.length + 2 + 4 + answers * 16;
    const at = this.ip(query, [172, 17, 0, 53], 17, 8 + message);
    const d = this.scratch;
    const src = query ? port : 53;
    const dst = query ? 53 : port;
    d.set([src >> 8, src & 0xff, dst >> 8, dst & 0xff, (8 + message) >> 8, (8 + message) & 0xff, 0, 0], at);
    let o = at + 8;
    d.set([id >> 8, id & 0xff, query ? 0x01 : 0x81, query ? 0x00 : 0x80, 0, 1, 0, answers, 0, 0, 0, 0], o);
    o += 12;
    for (const label of name.split('.')) {
      d[o++] = label.length;
      for (let i = 0; i < label.length; i++) d[o++] = label.charCodeAt(i);
    }
    d.set([0, 0, 1, 0, 1], o);
    o += 5;
    for (let i = 0; i < answers; i++) {
      d.set([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 10 + i], o);
      o += 16;
    }
    return o;
  }
}

function put32(d: Uint8Array, o: number, v: number): void {
  d[o] = v >>> 24;
  d[o + 1] = (v >>> 16) & 0xff;
  d[o + 2] = (v >>> 8) & 0xff;
  d[o + 3] = v & 0xff;
}

/** A TLS record of `type` whose body starts with handshake type `handshake` (-1: none), `length` bytes. */
function tlsRecord(type: number, handshake: number, length: number): Uint8Array {
  const r = new Uint8Array(5 + length);
  r.set([type, 3, 3, length >> 8, length & 0xff], 0);
  if (handshake >= 0) r.set([handshake, 0, (length - 4) >> 8, (length - 4) & 0xff, 3, 3], 5);
  return r;
}

/** A minimal ClientHello carrying a server_name extension. */
function clientHello(serverName: string): Uint8Array {
  const sni = [0, 0, 0, serverName.length + 5, 0, serverName.length + 3, 0, 0, serverName.length, ...Array.from(serverName, (c) => c.charCodeAt(0))];
  const body = [3, 3, ...new Array<number>(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0, 0, sni.length, ...sni];
  const hs = [1, 0, body.length >> 8, body.length & 0xff, ...body];
  return Uint8Array.from([22, 3, 1, hs.length >> 8, hs.length & 0xff, ...hs]);
}
