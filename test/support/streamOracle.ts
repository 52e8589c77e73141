/**
 * Our streams against tshark's on the same pcap: tcp.stream / udp.stream of every packet,
 * `-z conv,tcp|udp`, `-z follow,tcp|udp,raw,N`, `tcp.analysis.retransmission`, and HTTP and
 * DNS pairing (`http.response_in`, `dns.response_in`). Each check returns what both sides
 * said so a test can deepEqual them and a failure shows the difference.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PacketStore } from '../../src/core/packetStore';
import { StreamTable } from '../../src/core/stream/streamTable';

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

/** One conversation as `A <-> B frames/bytes A->B, frames/bytes B->A`, order-free across A/B. */
export function tsharkConversations(path: string, protocol: 'tcp' | 'udp'): string[] {
  const out = tshark(['-q', '-r', path, '-z', `conv,${protocol}`]);
  const lines: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+) bytes\s+(\d+)\s+(\d+) bytes/.exec(line);
    // tshark's "<-" columns count B->A, "->" columns A->B.
    if (m) lines.push(conversationLine(m[1] ?? '', m[2] ?? '', Number(m[5]), Number(m[6]), Number(m[3]), Number(m[4])));
  }
  return lines.sort();
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

/** `request response` frame-number pairs tshark makes (http.request_in on each response). */
export function tsharkHttpPairs(path: string): string[] {
  return tshark(['-r', path, '-Y', 'http.response', '-T', 'fields', '-e', 'http.request_in', '-e', 'frame.number']).split('\n').filter(Boolean).map((l) => l.replace('\t', ' '));
}

/** `query response` frame-number pairs of DNS over UDP port 53 (dns.response_to on each response). */
export function tsharkDnsPairs(path: string): string[] {
  return tshark(['-r', path, '-Y', 'udp.port == 53 && dns.flags.response == 1 && dns.response_to', '-T', 'fields', '-e', 'dns.response_to', '-e', 'frame.number'])
    .split('\n').filter(Boolean).map((l) => l.replace('\t', ' '));
}
