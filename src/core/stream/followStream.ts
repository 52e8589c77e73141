/**
 * Follow Stream: the payload of one TCP or UDP conversation, both directions in the
 * order they were sent, as Wireshark's Follow TCP/UDP Stream shows it. TCP goes through
 * the reassembler (retransmissions dropped, overlaps trimmed, out-of-order segments put
 * back in sequence, a hole that never fills marked as missing bytes); UDP is each
 * datagram's payload.
 *
 * Each side's bytes are the pieces as delivered (views into the packet store's chunks,
 * which are never rewritten: sideBytes.ts), read as one array only when asked (Save Raw).
 */
import type { PacketStore } from '../packetStore';
import type { StreamTable } from './streamTable';
import { SideBytes } from './sideBytes';
import { TcpReassembler, type StreamSide } from './tcpReassembler';
import { tcpSegmentOf } from './tcpSegment';

export interface FollowChunk {
  /** 0: side A (the client when the handshake was seen), 1: side B. */
  side: StreamSide;
  /** Where the chunk's bytes are in `sides[side]` (`sides[side].range(start, length)`). */
  start: number;
  length: number;
  /** Bytes missing just before this chunk (a hole the capture never filled). */
  missingBefore: number;
  /** The packet that completed this chunk ("No."). */
  packet: number;
}

export interface FollowedStream {
  /** `tls`: the decrypted application data of a TCP stream (followTls.ts); its index is the tcp.stream. */
  protocol: 'tcp' | 'udp' | 'tls';
  index: number;
  /** `address:port` of side A and side B. */
  endpoints: [string, string];
  chunks: FollowChunk[];
  /** Each side's payload, in sequence order, holes left out. */
  sides: [SideBytes, SideBytes];
  /** Bytes missing on each side (holes). */
  missing: [number, number];
}

export interface Piece {
  side: StreamSide;
  bytes: Uint8Array;
  missingBefore: number;
  packet: number;
}

/** The stream's packets still held by the store; the table must be up to date (`update()`). */
export function followStream(store: PacketStore, table: StreamTable, protocol: 'tcp' | 'udp', index: number): FollowedStream | undefined {
  const conversation = table.conversation(protocol, index);
  if (!conversation) return undefined;
  const pieces: Piece[] = [];
  const c = store.columns;
  const first = Math.max(store.rowOf(conversation.firstPacket), 0);
  const last = store.rowOf(conversation.lastPacket);
  if (last < 0) return undefined;
  const sideA = endpointText(conversation.addressA, conversation.portA);
  const reassembler = new TcpReassembler((data) => pieces.push({ side: data.side, bytes: data.bytes, missingBefore: data.gapBefore, packet: data.frameIndex }), {
    // Follow reads the whole stream at once: hold as much as it takes to put it in order.
    maxHeldBytes: 256 * 1024 * 1024, maxHeldSegments: 1 << 20,
  });
  let reassembledA: string | undefined;
  for (let row = first; row <= last; row++) {
    const s = store.slot(row);
    const n = store.numberOf(row);
    const stream = protocol === 'tcp' ? table.tcpStream(c, s, n) : table.udpStream(c, s, n);
    if (stream !== index) continue;
    if (protocol === 'udp') {
      const length = c.payloadLength[s] ?? 0;
      const from = endpointText(c.addresses.get(c.srcId[s] ?? 0), c.srcPort[s] ?? 0);
      if (length === 0) continue;
      const frame = store.slotBytes(s);
      const start = c.payloadOffset[s] ?? 0;
      pieces.push({ side: from === sideA ? 0 : 1, bytes: frame.subarray(start, start + length), missingBefore: 0, packet: n });
      continue;
    }
    const segment = tcpSegmentOf(store.slotBytes(s), c.linkType[s] ?? 0);
    if (!segment) continue;
    const reassembled = reassembler.add(n, segment);
    reassembledA ??= reassembled.endpoints[0];
  }
  reassembler.flush();
  // The reassembler and the table pick side A the same way; check rather than assume.
  if (reassembledA !== undefined && reassembledA !== sideA) for (const p of pieces) p.side = p.side === 0 ? 1 : 0;
  return assemble(protocol, index, [sideA, endpointText(conversation.addressB, conversation.portB)], pieces);
}

/** `address:port`, an IPv6 address in brackets (as the reassembler writes it). */
export function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function assemble(protocol: FollowedStream['protocol'], index: number, endpoints: [string, string], pieces: Piece[]): FollowedStream {
  const missing: [number, number] = [0, 0];
  const sides: [SideBytes, SideBytes] = [new SideBytes(), new SideBytes()];
  const chunks: FollowChunk[] = [];
  for (const p of pieces) {
    missing[p.side] += p.missingBefore;
    const start = sides[p.side].push(p.bytes);
    const previous = chunks[chunks.length - 1];
    // Consecutive pieces of one side read as one block, as in Wireshark's view.
    if (previous && previous.side === p.side && p.missingBefore === 0) {
      previous.length += p.bytes.length;
      previous.packet = p.packet;
    } else {
      chunks.push({ side: p.side, start, length: p.bytes.length, missingBefore: p.missingBefore, packet: p.packet });
    }
  }
  return { protocol, index, endpoints, chunks, sides, missing };
}
