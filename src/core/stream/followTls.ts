/**
 * Follow TLS Stream, as Wireshark's: the decrypted application data of one TCP stream,
 * both directions in the order it was sent. The plaintext comes from the TLS decryption
 * by packet number (each packet's records joined, in record order: the decryptor
 * reassembled the TCP stream and ordered the records already); the side is the packet's
 * sender. Copied into one buffer per side, as Follow TCP Stream does.
 */
import type { PacketStore } from '../packetStore';
import { assemble, endpointText, type FollowedStream, type Piece } from './followStream';
import type { StreamTable } from './streamTable';

/** The decrypted application data a packet completed, by packet number. */
export type PlaintextOf = (packetNumber: number) => Uint8Array | undefined;

/** Which side of its conversation sent the packet in `slot` (0: side A, whose endpoint is `sideA`). */
export function senderSide(store: PacketStore, slot: number, sideA: string): 0 | 1 {
  const c = store.columns;
  return endpointText(c.addresses.get(c.srcId[slot] ?? 0), c.srcPort[slot] ?? 0) === sideA ? 0 : 1;
}

/** The stream's decrypted data still held; undefined when none of its packets has any. The table must be up to date. */
export function followTlsStream(store: PacketStore, table: StreamTable, index: number, plaintextOf: PlaintextOf): FollowedStream | undefined {
  const conversation = table.conversation('tcp', index);
  if (!conversation) return undefined;
  const c = store.columns;
  const first = Math.max(store.rowOf(conversation.firstPacket), 0);
  const last = store.rowOf(conversation.lastPacket);
  if (last < 0) return undefined;
  const sideA = endpointText(conversation.addressA, conversation.portA);
  const pieces: Piece[] = [];
  for (let row = first; row <= last; row++) {
    const s = store.slot(row);
    const n = store.numberOf(row);
    if (table.tcpStream(c, s, n) !== index) continue;
    const plaintext = plaintextOf(n);
    if (!plaintext || plaintext.length === 0) continue;
    pieces.push({ side: senderSide(store, s, sideA), bytes: plaintext, missingBefore: 0, packet: n });
  }
  if (pieces.length === 0) return undefined;
  return assemble('tls', index, [sideA, endpointText(conversation.addressB, conversation.portB)], pieces);
}
