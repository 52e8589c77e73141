/**
 * Wireshark's stream numbers and conversations, kept up to date over a packet store:
 * `tcp.stream` / `udp.stream` of every packet (0, 1, 2... in the order conversations are
 * first seen), `tcp.analysis.retransmission`, and per conversation its endpoints, packets
 * and bytes each way, first and last time and TCP state.
 *
 * Incremental: `update()` reads only the packets appended since the last call, so a live
 * capture pays for each packet once. Keyed by packet number, not slot: the store is a
 * ring, and packets it drops keep their numbers (their conversations stay counted).
 * Reads the TCP header straight from the frame bytes the store keeps (no decoding pass).
 */
import type { PacketColumns, PacketStore } from '../packetStore';
import { ConversationColumns, PROTOCOL_TCP, PROTOCOL_UDP, SEGMENT_MASK, type ConversationSegment } from './conversationColumns';
import { ConversationHash } from './conversationHash';
import { TcpFlag } from './tcpSegment';
import { readTcpHeader, TcpSequenceAnalysis, type TcpHeader } from './tcpSequenceAnalysis';
import { IntColumn } from './typedColumns';

const IP_TCP = 6;
const IP_UDP = 17;

export type ConversationState = 'SYN' | 'established' | 'FIN' | 'RST' | 'open' | 'UDP';

export interface Conversation {
  protocol: 'tcp' | 'udp';
  /** tcp.stream or udp.stream. */
  index: number;
  /** Side A (the SYN's sender when seen, else the first sender) and side B, as the list shows addresses. */
  addressA: string;
  portA: number;
  addressB: string;
  portB: number;
  packetsAtoB: number;
  bytesAtoB: number;
  packetsBtoA: number;
  bytesBtoA: number;
  /** Absolute capture time, seconds. */
  firstTime: number;
  lastTime: number;
  /** Packet numbers of the first and last packets. */
  firstPacket: number;
  lastPacket: number;
  /** SYN seen, SYN-ACK seen, FIN seen from A / B, RST seen. */
  flags: number;
}

export const ConversationFlag = { SYN: 1, SYN_ACK: 2, FIN_A: 4, FIN_B: 8, RST: 16 } as const;

/** What the Conversations table shows as State. */
export function conversationState(c: Conversation): ConversationState {
  return stateOf(c.protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP, c.flags);
}

/** The State of a conversation of PROTOCOL_TCP or PROTOCOL_UDP with these ConversationFlag bits. */
export function stateOf(protocol: number, flags: number): ConversationState {
  if (protocol !== PROTOCOL_TCP) return 'UDP';
  if (flags & ConversationFlag.RST) return 'RST';
  if (flags & (ConversationFlag.FIN_A | ConversationFlag.FIN_B)) return 'FIN';
  if (flags & ConversationFlag.SYN_ACK) return 'established';
  if (flags & ConversationFlag.SYN) return 'SYN';
  return 'open';
}

export class StreamTable {
  /**
   * Per packet, one value: 2 * (tcp.stream or udp.stream) + 1 when it is a TCP
   * retransmission, or -1 for neither. One column, not two: at a million packets every
   * byte per packet is a page of fresh memory to fault in.
   */
  private readonly streamOf = new IntColumn(1);
  private readonly conv = new ConversationColumns();
  private readonly sequence = new TcpSequenceAnalysis();
  private readonly hash = new ConversationHash(this.conv);
  /** Conversation numbers in tcp.stream and udp.stream order. */
  private readonly ids: [IntColumn, IntColumn] = [new IntColumn(), new IntColumn()];
  /** The TCP header of the packet being read, reused (no object per packet). */
  private readonly header: TcpHeader = { seq: 0, ack: 0, flags: 0, window: 0 };
  /** The next packet number to read. */
  private next = 1;
  private materialized: [Conversation[], Conversation[]] | undefined;

  constructor(private readonly store: PacketStore) {}

  /** TCP conversations in tcp.stream order (built on call; use `conversation()` for one). */
  get tcp(): Conversation[] {
    return this.list(PROTOCOL_TCP);
  }

  get udp(): Conversation[] {
    return this.list(PROTOCOL_UDP);
  }

  get conversationCount(): number {
    return this.conv.count;
  }

  /** The conversation columns, for reading many conversations without an object each (conversationOrder.ts). */
  get columns(): ConversationColumns {
    return this.conv;
  }

  /** The store whose packets the table reads (its address table names the columns' addresses). */
  get packets(): PacketStore {
    return this.store;
  }

  /** How many tcp.stream (or udp.stream) numbers there are. */
  streamCount(protocol: 'tcp' | 'udp'): number {
    return this.streamIds(protocol).length;
  }

  /** The conversation number (for `conversationAt`) of tcp.stream or udp.stream `index`, -1 when there is none. */
  conversationNumber(protocol: 'tcp' | 'udp', index: number): number {
    return this.streamIds(protocol).get(index);
  }

  private streamIds(protocol: 'tcp' | 'udp'): IntColumn {
    return this.ids[protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP];
  }

  conversation(protocol: 'tcp' | 'udp', index: number): Conversation | undefined {
    const id = this.conversationNumber(protocol, index);
    return id < 0 ? undefined : this.conversationAt(id);
  }

  private list(protocol: number): Conversation[] {
    this.materialized ??= [[], []];
    const list = this.materialized[protocol] as Conversation[];
    const ids = this.ids[protocol] as IntColumn;
    // Conversations change as packets arrive: rebuild (views ask once per opening).
    list.length = 0;
    for (let i = 0; i < ids.length; i++) list.push(this.conversationAt(ids.get(i)));
    return list;
  }

  /** Conversation g (0 .. conversationCount - 1, in the order first seen, TCP and UDP together). */
  conversationAt(g: number): Conversation {
    const c = this.conv.segment(g);
    const i = g & SEGMENT_MASK;
    const addresses = this.store.columns.addresses;
    return {
      protocol: c.protocol[i] === PROTOCOL_TCP ? 'tcp' : 'udp', index: c.index[i] ?? 0,
      addressA: addresses.get(c.addressA[i] ?? 0), portA: c.portA[i] ?? 0,
      addressB: addresses.get(c.addressB[i] ?? 0), portB: c.portB[i] ?? 0,
      packetsAtoB: c.packetsAtoB[i] ?? 0, bytesAtoB: c.bytesAtoB[i] ?? 0, packetsBtoA: c.packetsBtoA[i] ?? 0, bytesBtoA: c.bytesBtoA[i] ?? 0,
      firstTime: c.firstTime[i] ?? 0, lastTime: c.lastTime[i] ?? 0, firstPacket: c.firstPacket[i] ?? 0, lastPacket: c.lastPacket[i] ?? 0, flags: c.flags[i] ?? 0,
    };
  }

  /**
   * Reads the packets appended since the last call (starts over when the store was
   * cleared), or at most `limit` of them (a slice of idle time); true when none is left.
   */
  update(limit = Number.POSITIVE_INFINITY): boolean {
    const store = this.store;
    const storeEnd = store.firstNumber + store.size;
    if (storeEnd < this.next) this.reset();
    if (this.next < store.firstNumber) {
      // Dropped before we read them: they belong to no stream we know.
      for (; this.next < store.firstNumber; this.next++) {
        this.streamOf.push(-1);
      }
    }
    const c = store.columns;
    // Sized for every packet waiting, not the slice: slices then do not grow them step by step.
    this.streamOf.reserve(storeEnd - this.next);
    this.hash.reserve(this.conv.count + (storeEnd - this.next));
    const end = Math.min(storeEnd, this.next + limit);
    for (let n = this.next; n < end; n++) this.read(c, store.slot(store.rowOf(n)), n);
    this.next = end;
    this.streamOf.trim(store.firstNumber);
    return end === storeEnd;
  }

  /** Packets of the store not read yet. */
  get unread(): number {
    return Math.max(0, this.store.firstNumber + this.store.size - this.next);
  }

  /** Bytes of memory the table holds (its typed arrays): what a capture pays for having it. */
  get heldBytes(): number {
    return this.streamOf.byteLength + this.ids[0].byteLength + this.ids[1].byteLength + this.conv.byteLength + this.sequence.byteLength + this.hash.byteLength;
  }

  private reset(): void {
    this.streamOf.clear();
    this.ids[0].clear();
    this.ids[1].clear();
    this.conv.clear();
    this.sequence.clear();
    this.hash.clear();
    this.next = 1;
  }

  /** tcp.stream of a packet, -1 when it is not TCP. Reads newer packets first when needed. */
  tcpStream(c: PacketColumns, slot: number, packetNumber: number): number {
    if (packetNumber >= this.next) this.update();
    return c.ipProtocol[slot] === IP_TCP ? this.streamOf.get(packetNumber) >> 1 : -1;
  }

  udpStream(c: PacketColumns, slot: number, packetNumber: number): number {
    if (packetNumber >= this.next) this.update();
    return c.ipProtocol[slot] === IP_UDP ? this.streamOf.get(packetNumber) >> 1 : -1;
  }

  isRetransmission(packetNumber: number): boolean {
    if (packetNumber >= this.next) this.update();
    const v = this.streamOf.get(packetNumber);
    return v >= 0 && (v & 1) === 1;
  }

  /** The stream number of a packet and its protocol, or undefined when it has none. */
  streamOfPacket(packetNumber: number): { protocol: 'tcp' | 'udp'; index: number } | undefined {
    const row = this.store.rowOf(packetNumber);
    if (row < 0) return undefined;
    const s = this.store.slot(row);
    const index = this.streamOf.get(packetNumber) >> 1;
    const p = this.store.columns.ipProtocol[s];
    return index < 0 ? undefined : { protocol: p === IP_TCP ? 'tcp' : 'udp', index };
  }

  private read(c: PacketColumns, s: number, n: number): void {
    const ipProtocol = c.ipProtocol[s];
    const srcPort = c.srcPort[s] ?? -1;
    const dstPort = c.dstPort[s] ?? -1;
    if ((ipProtocol !== IP_TCP && ipProtocol !== IP_UDP) || srcPort < 0 || dstPort < 0) {
      this.streamOf.push(-1);
      return;
    }
    const protocol = ipProtocol === IP_TCP ? PROTOCOL_TCP : PROTOCOL_UDP;
    const src = c.srcId[s] ?? 0;
    const dst = c.dstId[s] ?? 0;
    const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    const tcp = protocol === PROTOCOL_TCP && readTcpHeader(c, s, this.header) ? this.header : undefined;
    const at = this.hash.find(protocol, src, srcPort, dst, dstPort);
    let g = this.hash.conversationAt(at);
    if (g >= 0 && tcp && this.isNewSyn(g, tcp, src, srcPort)) g = -1;
    if (g < 0) {
      g = this.added(protocol, src, srcPort, dst, dstPort, tcp, time, n);
      this.hash.set(at, g);
    }
    const conv = this.conv.segment(g);
    const i = g & SEGMENT_MASK;
    const fromA = conv.addressA[i] === src && conv.portA[i] === srcPort;
    const length = c.originalLength[s] ?? 0;
    if (fromA) {
      conv.packetsAtoB[i] = (conv.packetsAtoB[i] ?? 0) + 1;
      conv.bytesAtoB[i] = (conv.bytesAtoB[i] ?? 0) + length;
    } else {
      conv.packetsBtoA[i] = (conv.packetsBtoA[i] ?? 0) + 1;
      conv.bytesBtoA[i] = (conv.bytesBtoA[i] ?? 0) + length;
    }
    conv.lastTime[i] = time;
    conv.lastPacket[i] = n;
    const index = conv.index[i] ?? 0;
    const retransmission = tcp ? this.tcpSegment(conv, i, fromA, tcp, c.payloadLength[s] ?? 0, time) : 0;
    this.streamOf.push(2 * index + retransmission);
  }

  /** A new conversation, first seen in packet n, with no packets counted yet. */
  private added(protocol: number, src: number, srcPort: number, dst: number, dstPort: number, tcp: TcpHeader | undefined, time: number, n: number): number {
    // A SYN-ACK seen first comes from the server: the client is its destination.
    const serverFirst = tcp !== undefined && (tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    const g = this.conv.add();
    const conv = this.conv.segment(g);
    const i = g & SEGMENT_MASK;
    const ids = this.ids[protocol] as IntColumn;
    const index = ids.length;
    conv.protocol[i] = protocol;
    conv.index[i] = index;
    ids.push(g);
    conv.addressA[i] = serverFirst ? dst : src;
    conv.portA[i] = serverFirst ? dstPort : srcPort;
    conv.addressB[i] = serverFirst ? src : dst;
    conv.portB[i] = serverFirst ? srcPort : dstPort;
    conv.packetsAtoB[i] = 0;
    conv.bytesAtoB[i] = 0;
    conv.packetsBtoA[i] = 0;
    conv.bytesBtoA[i] = 0;
    conv.firstTime[i] = time;
    conv.firstPacket[i] = n;
    conv.flags[i] = 0;
    if (protocol === PROTOCOL_TCP) this.sequence.add(index);
    return g;
  }

  /** A bare SYN on a finished conversation, or with another initial sequence number: the port was reused. */
  private isNewSyn(g: number, tcp: TcpHeader, src: number, srcPort: number): boolean {
    if ((tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
    const c = this.conv.segment(g);
    const i = g & SEGMENT_MASK;
    const f = c.flags[i] ?? 0;
    const finished = (f & ConversationFlag.RST) !== 0 || ((f & ConversationFlag.FIN_A) !== 0 && (f & ConversationFlag.FIN_B) !== 0);
    if (!(c.addressA[i] === src && c.portA[i] === srcPort)) return finished;
    const isn = this.sequence.initialSequenceA(c.index[i] ?? 0);
    return finished || (isn >= 0 && isn !== tcp.seq);
  }

  /** The conversation's state flags (conversation i of segment c), then the sequence analysis; 1 when the segment is a retransmission. */
  private tcpSegment(c: ConversationSegment, i: number, fromA: boolean, tcp: TcpHeader, length: number, time: number): number {
    const flags = tcp.flags;
    let f = c.flags[i] ?? 0;
    if ((flags & TcpFlag.SYN) !== 0) f |= (flags & TcpFlag.ACK) !== 0 ? ConversationFlag.SYN_ACK : ConversationFlag.SYN;
    if (flags & TcpFlag.FIN) f |= fromA ? ConversationFlag.FIN_A : ConversationFlag.FIN_B;
    if (flags & TcpFlag.RST) f |= ConversationFlag.RST;
    c.flags[i] = f;
    return this.sequence.segment(c.index[i] ?? 0, fromA, tcp, length, time, (f & ConversationFlag.SYN_ACK) !== 0);
  }
}
