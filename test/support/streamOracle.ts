/**
 * Our streams against tshark's on the same pcap: tcp.stream / udp.stream of every packet,
 * `-z conv,tcp|udp`, `-z follow,tcp|udp,raw,N`, `tcp.analysis.retransmission`, and HTTP and
 * DNS pairing (`http.response_in`, `dns.response_in`). Each check returns what both sides
 * said so a test can deepEqual them and a failure shows the difference.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PacketStore } from '../../src/core/packetStore';
import { dnsExchanges } from '../../src/core/stream/dnsExchanges';
import { followStream } from '../../src/core/stream/followStream';
import { httpExchanges } from '../../src/core/stream/httpExchanges';
import { StreamTable } from '../../src/core/stream/streamTable';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function loadPcap(path: string): { store: PacketStore; table: StreamTable } {
  const store = new PacketStore({ maxPackets: 2_000_000, summarize, summarizeColumns });
  for (const r of readPcapFile(readFileSync(path)).records) {
    store.append({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: '', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data });
  }
  const table = new StreamTable(store);
  table.update();
  return { store, table };
}

export function tshark(args: string[]): string {
  // No shell: every argument is one argv entry.
  return execFileSync('tshark', ['-n', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/** `frame.number stream` for every TCP or UDP packet. */
export function tsharkStreams(path: string, protocol: 'tcp' | 'udp'): string[] {
  return tshark(['-r', path, '-Y', protocol, '-T', 'fields', '-e', 'frame.number', '-e', `${protocol}.stream`]).split('\n').filter(Boolean).map((l) => l.replace('\t', ' '));
}

/** Packet numbers matching a display filter. */
export function tsharkNumbers(path: string, filter: string, extra: string[] = []): number[] {
  return tshark([...extra, '-r', path, '-Y', filter, '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).map(Number);
}

/**
 * One conversation as `A <-> B frames/bytes A->B, frames/bytes B->A`, order-free across A/B:
 * `-z conv` gives the endpoints and frame counts; past 10 kB it rounds bytes ("235 kB"), so
 * byte counts come from the frame lengths tshark decodes, summed per direction.
 */
export function tsharkConversations(path: string, protocol: 'tcp' | 'udp'): string[] {
  const out = tshark(['-q', '-r', path, '-z', `conv,${protocol}`]);
  const bytes = new Map<string, number>();
  const fields = tshark(['-r', path, '-Y', protocol, '-T', 'fields', '-e', 'ip.src', '-e', 'ipv6.src', '-e', `${protocol}.srcport`, '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', `${protocol}.dstport`, '-e', 'frame.len']);
  for (const line of fields.split('\n').filter(Boolean)) {
    const [src4 = '', src6 = '', sport = '', dst4 = '', dst6 = '', dport = '', len = '0'] = line.split('\t');
    const key = `${endpoint(src4 || src6, sport)} ${endpoint(dst4 || dst6, dport)}`;
    bytes.set(key, (bytes.get(key) ?? 0) + Number(len));
  }
  const lines: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\d+ \S*bytes\s+(\d+)\s+\d+ \S*bytes/.exec(line) ?? /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\d+ [kMG]?B\s+(\d+)\s+\d+ /.exec(line);
    if (!m) continue;
    const a = m[1] ?? '';
    const b = m[2] ?? '';
    // tshark's "<-" columns count B->A, "->" columns A->B.
    lines.push(conversationLine(a, b, Number(m[4]), bytes.get(`${a} ${b}`) ?? 0, Number(m[3]), bytes.get(`${b} ${a}`) ?? 0));
  }
  return lines.sort();
}

/** `address:port` as `-z conv` writes it (IPv6 addresses bare, as tshark does there). */
function endpoint(address: string, port: string): string {
  return `${address}:${port}`;
}

export function conversationLine(a: string, b: string, framesAB: number, bytesAB: number, framesBA: number, bytesBA: number): string {
  return a < b ? `${a} <-> ${b} ${framesAB}/${bytesAB} ${framesBA}/${bytesBA}` : `${b} <-> ${a} ${framesBA}/${bytesBA} ${framesAB}/${bytesAB}`;
}

export interface FollowedText {
  nodes: [string, string];
  /** Each side's bytes as hex. */
  sides: [string, string];
  /** Which side sent each block, consecutive blocks of a side merged: e.g. "0101". */
  turns: string;
}

/** tshark's Follow Stream in raw (hex) mode; node 0 is the client. */
export function tsharkFollow(path: string, protocol: 'tcp' | 'udp', index: number): FollowedText {
  const out = tshark(['-q', '-r', path, '-z', `follow,${protocol},raw,${index}`]);
  const nodes: [string, string] = ['', ''];
  const sides: [string, string] = ['', ''];
  let turns = '';
  for (const line of out.split('\n')) {
    const node = /^Node ([01]): (\S+)$/.exec(line);
    if (node) {
      nodes[Number(node[1]) as 0 | 1] = node[2] ?? '';
      continue;
    }
    const data = /^(\t?)([0-9a-f]+)$/.exec(line);
    if (!data) continue;
    const side = data[1] ? 1 : 0;
    sides[side] += data[2];
    if (!turns.endsWith(String(side))) turns += String(side);
  }
  return { nodes, sides, turns };
}

/** `request response` frame-number pairs tshark makes (http.request_in on each response), out-of-order segments reassembled. */
export function tsharkHttpPairs(path: string): string[] {
  return tshark(['-o', 'tcp.reassemble_out_of_order:TRUE', '-r', path, '-Y', 'http.response', '-T', 'fields', '-e', 'http.request_in', '-e', 'frame.number']).split('\n').filter(Boolean).map((l) => l.replace('\t', ' '));
}

/** `query response` frame-number pairs of DNS over UDP port 53 (dns.response_to on each response). */
export function tsharkDnsPairs(path: string): string[] {
  return tshark(['-r', path, '-Y', 'udp.port == 53 && dns.flags.response == 1 && dns.response_to', '-T', 'fields', '-e', 'dns.response_to', '-e', 'frame.number'])
    .split('\n').filter(Boolean).map((l) => l.replace('\t', ' '));
}

/** Every check of this file on one pcap; throws (assert) at the first difference. */
export function checkAgainstTshark(path: string): void {
  const { store, table } = loadPcap(path);
  for (const protocol of ['tcp', 'udp'] as const) {
    const ours: string[] = [];
    for (let row = 0; row < store.size; row++) {
      const s = store.slot(row);
      const n = store.numberOf(row);
      const stream = protocol === 'tcp' ? table.tcpStream(store.columns, s, n) : table.udpStream(store.columns, s, n);
      if (stream >= 0) ours.push(`${n} ${stream}`);
    }
    assert.deepEqual(ours, tsharkStreams(path, protocol), `${protocol}.stream of each packet`);
    const conversations = (protocol === 'tcp' ? table.tcp : table.udp).map((c) => conversationLine(
      `${c.addressA}:${c.portA}`, `${c.addressB}:${c.portB}`, c.packetsAtoB, c.bytesAtoB, c.packetsBtoA, c.bytesBtoA));
    assert.deepEqual(conversations.sort(), tsharkConversations(path, protocol), `conv,${protocol}`);
    for (const conversation of protocol === 'tcp' ? table.tcp : table.udp) {
      const followed = followStream(store, table, protocol, conversation.index);
      assert.ok(followed);
      const theirs = tsharkFollow(path, protocol, conversation.index);
      const turns = followed.chunks.map((c) => String(c.side)).join('').replace(/(.)\1+/g, '$1');
      assert.deepEqual(
        { nodes: followed.endpoints, sides: [hex(followed.sides[0].all()), hex(followed.sides[1].all())], turns },
        theirs, `follow,${protocol},raw,${conversation.index}`);
    }
  }
  const retransmissions: number[] = [];
  for (let row = 0; row < store.size; row++) if (table.isRetransmission(store.numberOf(row))) retransmissions.push(store.numberOf(row));
  assert.deepEqual(retransmissions, tsharkNumbers(path, 'tcp.analysis.retransmission'), 'tcp.analysis.retransmission');
  // tshark names the packets that complete the request and the response (its reassembly is on).
  const http = httpExchanges(store, table).filter((e) => e.response).map((e) => `${e.request.lastPacket} ${e.response?.lastPacket ?? ''}`);
  assert.deepEqual(http, tsharkHttpPairs(path), 'http.request_in of each response');
  const dns = dnsExchanges(store, table).filter((e) => e.responsePacket !== undefined).map((e) => `${e.queryPacket} ${e.responsePacket ?? ''}`);
  assert.deepEqual(dns, tsharkDnsPairs(path), 'dns.response_to of each response');
}
