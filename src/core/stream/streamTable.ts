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
import { frameView, transportOffset } from '../filter/packetFields';
import { TcpFlag } from './tcpSegment';

const IP_TCP = 6;
const IP_UDP = 17;
/** Wireshark's default: a segment behind the sequence this soon after the last one is out of order, not retransmitted. */
const OUT_OF_ORDER_SECONDS = 0.003;
/** Wireshark's window for a fast retransmission after duplicate ACKs. */
const FAST_RETRANSMISSION_SECONDS = 0.02;

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
  if (c.protocol === 'udp') return 'UDP';
  if (c.flags & ConversationFlag.RST) return 'RST';
  if (c.flags & (ConversationFlag.FIN_A | ConversationFlag.FIN_B)) return 'FIN';
  if (c.flags & ConversationFlag.SYN_ACK) return 'established';
  if (c.flags & ConversationFlag.SYN) return 'SYN';
  return 'open';
}

/** Per TCP direction: what Wireshark's sequence analysis remembers. */
interface SeqState {
  nextSeq: number;
  seen: boolean;
  /** When nextSeq last advanced. */
  nextSeqTime: number;
  /** Highest acknowledgment number this side sent; 0 before any. */
  lastAck: number;
  acked: boolean;
  /** Window of this side's last segment, and its duplicate ACKs in a row (for fast retransmissions). */
  window: number;
  dupAcks: number;
  lastDupAckTime: number;
}

interface Tracked {
  conversation: Conversation;
  /** Key of side A (`addressId:port`), to tell the direction of a packet. */
  sideA: string;
  seq: [SeqState, SeqState];
  /** A's initial sequence number once its SYN was seen (a new SYN with another starts a new stream). */
  isnA: number;
  /** Time of the SYN, then the handshake's round trip once its last ACK is seen (-1 unknown). */
  synTime: number;
  firstRtt: number;
}

/** Packet-number-indexed Int32 column that grows and drops its front with the store. */
class NumberColumn {
  values = new Int32Array(1024);
  base = 1;
  length = 0;

  get(packetNumber: number): number {
    const i = packetNumber - this.base;
    return i >= 0 && i < this.length ? (this.values[i] ?? -1) : -1;
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const next = new Int32Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = value;
  }

  clear(): void {
    this.base = 1;
    this.length = 0;
  }

  /** Forgets numbers below `first` when that frees at least half the column. */
  trim(first: number): void {
    const drop = first - this.base;
    if (drop <= 0 || drop < this.length / 2) return;
    this.values.copyWithin(0, Math.min(drop, this.length), this.length);
    this.length = Math.max(0, this.length - drop);
    this.base = first;
  }
}

function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export class StreamTable {
  /** tcp.stream / udp.stream of each packet, -1 for neither. */
  private readonly streamOf = new NumberColumn();
  /** 1 when the packet is a TCP retransmission. */
  private readonly retransmitted = new NumberColumn();
  private readonly open = new Map<string, Tracked>();
  readonly tcp: Conversation[] = [];
  readonly udp: Conversation[] = [];
  /** The next packet number to read. */
  private next = 1;

  constructor(private readonly store: PacketStore) {}

  /** Reads the packets appended since the last call (starts over when the store was cleared). */
  update(): void {
    const store = this.store;
    const end = store.firstNumber + store.size;
    if (end < this.next) this.reset();
    if (this.next < store.firstNumber) {
      // Dropped before we read them: they belong to no stream we know.
      for (; this.next < store.firstNumber; this.next++) {
        this.streamOf.push(-1);
        this.retransmitted.push(0);
      }
    }
    const c = store.columns;
    for (let n = this.next; n < end; n++) this.read(c, store.slot(store.rowOf(n)), n);
    this.next = end;
    this.streamOf.trim(store.firstNumber);
    this.retransmitted.trim(store.firstNumber);
  }

  private reset(): void {
    this.streamOf.clear();
    this.retransmitted.clear();
    this.open.clear();
    this.tcp.length = 0;
    this.udp.length = 0;
    this.next = 1;
  }

  /** tcp.stream of a packet, -1 when it is not TCP. Reads newer packets first when needed. */
  tcpStream(c: PacketColumns, slot: number, packetNumber: number): number {
    if (packetNumber >= this.next) this.update();
    return c.ipProtocol[slot] === IP_TCP ? this.streamOf.get(packetNumber) : -1;
  }

  udpStream(c: PacketColumns, slot: number, packetNumber: number): number {
    if (packetNumber >= this.next) this.update();
    return c.ipProtocol[slot] === IP_UDP ? this.streamOf.get(packetNumber) : -1;
  }

  isRetransmission(packetNumber: number): boolean {
    if (packetNumber >= this.next) this.update();
    return this.retransmitted.get(packetNumber) === 1;
  }

  /** The stream number of a packet and its protocol, or undefined when it has none. */
  streamOfPacket(packetNumber: number): { protocol: 'tcp' | 'udp'; index: number } | undefined {
    const row = this.store.rowOf(packetNumber);
    if (row < 0) return undefined;
    const s = this.store.slot(row);
    const index = this.streamOf.get(packetNumber);
    const p = this.store.columns.ipProtocol[s];
    return index < 0 ? undefined : { protocol: p === IP_TCP ? 'tcp' : 'udp', index };
  }

  private read(c: PacketColumns, s: number, n: number): void {
    const protocol = c.ipProtocol[s];
    const srcPort = c.srcPort[s] ?? -1;
    if ((protocol !== IP_TCP && protocol !== IP_UDP) || srcPort < 0) {
      this.streamOf.push(-1);
      this.retransmitted.push(0);
      return;
    }
    const dstPort = c.dstPort[s] ?? -1;
    const from = `${c.srcId[s] ?? 0}:${srcPort}`;
    const to = `${c.dstId[s] ?? 0}:${dstPort}`;
    const key = (protocol === IP_TCP ? 't' : 'u') + (from < to ? `${from} ${to}` : `${to} ${from}`);
    const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    const tcp = protocol === IP_TCP ? tcpHeader(c, s) : undefined;
    let tracked = this.open.get(key);
    if (tracked && tcp && isNewSyn(tracked, tcp, from)) tracked = undefined;
    if (!tracked) {
      // A SYN-ACK seen first comes from the server: the client is its destination.
      const serverFirst = tcp !== undefined && (tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
      const list = protocol === IP_TCP ? this.tcp : this.udp;
      const src = c.addresses.get(c.srcId[s] ?? 0);
      const dst = c.addresses.get(c.dstId[s] ?? 0);
      tracked = {
        sideA: serverFirst ? to : from,
        seq: [newSeqState(), newSeqState()],
        isnA: -1,
        synTime: -1,
        firstRtt: -1,
        conversation: {
          protocol: protocol === IP_TCP ? 'tcp' : 'udp', index: list.length,
          addressA: serverFirst ? dst : src, portA: serverFirst ? dstPort : srcPort,
          addressB: serverFirst ? src : dst, portB: serverFirst ? srcPort : dstPort,
          packetsAtoB: 0, bytesAtoB: 0, packetsBtoA: 0, bytesBtoA: 0,
          firstTime: time, lastTime: time, firstPacket: n, lastPacket: n, flags: 0,
        },
      };
      list.push(tracked.conversation);
      this.open.set(key, tracked);
    }
    const conv = tracked.conversation;
    const fromA = from === tracked.sideA;
    const length = c.originalLength[s] ?? 0;
    if (fromA) {
      conv.packetsAtoB++;
      conv.bytesAtoB += length;
    } else {
      conv.packetsBtoA++;
      conv.bytesBtoA += length;
    }
    conv.lastTime = time;
    conv.lastPacket = n;
    this.streamOf.push(conv.index);
    this.retransmitted.push(tcp ? this.sequenceAnalysis(tracked, fromA, tcp, c.payloadLength[s] ?? 0, time) : 0);
  }

  /**
   * Wireshark's retransmission test (packet-tcp.c, tcp_analyze_sequence_number), in its
   * order: data behind this side's next sequence number is a retransmission, unless it
   * is a keep-alive, covers only bytes the other side already acknowledged (spurious),
   * or came sooner after the newest data than the handshake's round trip (out of order).
   */
  private sequenceAnalysis(tracked: Tracked, fromA: boolean, tcp: TcpHeader, length: number, time: number): number {
    const conv = tracked.conversation;
    const { flags, seq } = tcp;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const ack = (flags & TcpFlag.ACK) !== 0;
    if (syn && ack) conv.flags |= ConversationFlag.SYN_ACK;
    else if (syn) {
      conv.flags |= ConversationFlag.SYN;
      if (fromA) tracked.isnA = seq;
      if (tracked.synTime < 0) tracked.synTime = time;
    } else if (ack && fromA && tracked.firstRtt < 0 && tracked.synTime >= 0 && conv.flags & ConversationFlag.SYN_ACK) {
      tracked.firstRtt = time - tracked.synTime;
    }
    if (fin) conv.flags |= fromA ? ConversationFlag.FIN_A : ConversationFlag.FIN_B;
    if (flags & TcpFlag.RST) conv.flags |= ConversationFlag.RST;
    const state = tracked.seq[fromA ? 0 : 1];
    const other = tracked.seq[fromA ? 1 : 0];
    const span = length + (syn ? 1 : 0) + (fin ? 1 : 0);
    let retransmission = 0;
    if (state.seen && span > 0 && seqDiff(seq, state.nextSeq) < 0) {
      const keepAlive = length <= 1 && !syn && !fin && seqDiff(seq, state.nextSeq) === -1;
      const spurious = length > 0 && other.acked && seqDiff((seq + length) >>> 0, other.lastAck) <= 0;
      const threshold = tracked.firstRtt >= 0 ? tracked.firstRtt : OUT_OF_ORDER_SECONDS;
      const outOfOrder = length > 0 && time - state.nextSeqTime < threshold && state.nextSeq !== ((seq + length) >>> 0);
      // Asked for by two duplicate ACKs just before: a fast retransmission, whatever its timing.
      const fast = length > 0 && other.dupAcks >= 2 && other.lastAck === seq && time - other.lastDupAckTime < FAST_RETRANSMISSION_SECONDS;
      if (fast || (!keepAlive && !spurious && !outOfOrder)) retransmission = 1;
    }
    const duplicateAck = ack && span === 0 && (flags & TcpFlag.RST) === 0 && state.acked && tcp.ack === state.lastAck && tcp.window === state.window;
    state.dupAcks = duplicateAck ? state.dupAcks + 1 : 0;
    if (duplicateAck) state.lastDupAckTime = time;
    state.window = tcp.window;
    const end = (seq + span) >>> 0;
    if (!state.seen || seqDiff(end, state.nextSeq) > 0) {
      state.nextSeq = end;
      state.nextSeqTime = time;
    }
    state.seen = true;
    if (ack) {
      const number = tcp.ack;
      if (!state.acked || seqDiff(number, state.lastAck) > 0) state.lastAck = number;
      state.acked = true;
    }
    return retransmission;
  }
}

function newSeqState(): SeqState {
  return { nextSeq: 0, seen: false, nextSeqTime: 0, lastAck: 0, acked: false, window: -1, dupAcks: 0, lastDupAckTime: 0 };
}

interface TcpHeader {
  seq: number;
  ack: number;
  flags: number;
  window: number;
}

function tcpHeader(c: PacketColumns, s: number): TcpHeader | undefined {
  const f = frameView(c, s);
  if (!f) return undefined;
  const t = transportOffset(c, s, f);
  const at = f.start + t;
  if (t < 0 || at + 16 > f.end) return undefined;
  const d = f.chunk;
  const seq = (((d[at + 4] ?? 0) << 24) | ((d[at + 5] ?? 0) << 16) | ((d[at + 6] ?? 0) << 8) | (d[at + 7] ?? 0)) >>> 0;
  const ack = (((d[at + 8] ?? 0) << 24) | ((d[at + 9] ?? 0) << 16) | ((d[at + 10] ?? 0) << 8) | (d[at + 11] ?? 0)) >>> 0;
  return { seq, ack, flags: d[at + 13] ?? 0, window: ((d[at + 14] ?? 0) << 8) | (d[at + 15] ?? 0) };
}

/** A bare SYN on a finished conversation, or with another initial sequence number: the port was reused. */
function isNewSyn(tracked: Tracked, tcp: TcpHeader, from: string): boolean {
  if ((tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
  const f = tracked.conversation.flags;
  const finished = (f & ConversationFlag.RST) !== 0 || (f & ConversationFlag.FIN_A && f & ConversationFlag.FIN_B) !== 0;
  if (from !== tracked.sideA) return finished;
  return finished || (tracked.isnA >= 0 && tracked.isnA !== tcp.seq);
}
