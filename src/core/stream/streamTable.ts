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

/** A growable list of integers. */
class IntList {
  private values = new Int32Array(256);
  length = 0;

  get(i: number): number {
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
    this.length = 0;
  }
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

/**
 * Per conversation, in typed columns rather than objects: a capture of a million packets
 * can hold a million conversations (scans, random source ports), and a million small
 * objects cost seconds of garbage collection. Side 0 is A, side 1 is B.
 */
class ConversationColumns {
  capacity = 0;
  count = 0;
  protocol = new Uint8Array(0);
  index = new Int32Array(0);
  addressA = new Int32Array(0);
  portA = new Int32Array(0);
  addressB = new Int32Array(0);
  portB = new Int32Array(0);
  packetsAtoB = new Float64Array(0);
  bytesAtoB = new Float64Array(0);
  packetsBtoA = new Float64Array(0);
  bytesBtoA = new Float64Array(0);
  firstTime = new Float64Array(0);
  lastTime = new Float64Array(0);
  firstPacket = new Float64Array(0);
  lastPacket = new Float64Array(0);
  flags = new Uint8Array(0);
  /** A's initial sequence number (-1 before its SYN), the SYN's time and the handshake's round trip (-1 unknown). */
  isnA = new Float64Array(0);
  synTime = new Float64Array(0);
  firstRtt = new Float64Array(0);
  /** Sequence analysis per side, at [2 * conversation + side]. */
  nextSeq = new Float64Array(0);
  seen = new Uint8Array(0);
  nextSeqTime = new Float64Array(0);
  lastAck = new Float64Array(0);
  acked = new Uint8Array(0);
  window = new Int32Array(0);
  dupAcks = new Int32Array(0);
  lastDupAckTime = new Float64Array(0);

  add(): number {
    if (this.count === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    return this.count++;
  }

  private grow(capacity: number): void {
    const self = this as unknown as Record<string, Uint8Array | Int32Array | Float64Array | number>;
    for (const [key, value] of Object.entries(self)) {
      if (typeof value === 'number') continue;
      const perSide = PER_SIDE.has(key) ? 2 : 1;
      const old = value as Float64Array;
      const next = new (old.constructor as new (n: number) => Float64Array)(capacity * perSide);
      next.set(old);
      self[key] = next;
    }
    this.capacity = capacity;
  }
}

const PER_SIDE = new Set(['nextSeq', 'seen', 'nextSeqTime', 'lastAck', 'acked', 'window', 'dupAcks', 'lastDupAckTime']);
const PROTOCOL_TCP = 0;
const PROTOCOL_UDP = 1;

export class StreamTable {
  /** tcp.stream / udp.stream of each packet, -1 for neither. */
  private readonly streamOf = new NumberColumn();
  /** 1 when the packet is a TCP retransmission. */
  private readonly retransmitted = new NumberColumn();
  private readonly conv = new ConversationColumns();
  /** Open-addressing hash of (protocol, endpoint pair) to conversation + 1; 0 is empty. */
  private slots = new Int32Array(1 << 12);
  private used = 0;
  /** Conversation numbers in tcp.stream and udp.stream order. */
  private readonly ids: [IntList, IntList] = [new IntList(), new IntList()];
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

  conversation(protocol: 'tcp' | 'udp', index: number): Conversation | undefined {
    const id = this.ids[protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP].get(index);
    return id < 0 ? undefined : this.toConversation(id);
  }

  private list(protocol: number): Conversation[] {
    this.materialized ??= [[], []];
    const list = this.materialized[protocol] as Conversation[];
    const ids = this.ids[protocol] as IntList;
    // Conversations change as packets arrive: rebuild (views ask once per opening).
    list.length = 0;
    for (let i = 0; i < ids.length; i++) list.push(this.toConversation(ids.get(i)));
    return list;
  }

  private toConversation(g: number): Conversation {
    const c = this.conv;
    const addresses = this.store.columns.addresses;
    return {
      protocol: c.protocol[g] === PROTOCOL_TCP ? 'tcp' : 'udp', index: c.index[g] ?? 0,
      addressA: addresses.get(c.addressA[g] ?? 0), portA: c.portA[g] ?? 0,
      addressB: addresses.get(c.addressB[g] ?? 0), portB: c.portB[g] ?? 0,
      packetsAtoB: c.packetsAtoB[g] ?? 0, bytesAtoB: c.bytesAtoB[g] ?? 0, packetsBtoA: c.packetsBtoA[g] ?? 0, bytesBtoA: c.bytesBtoA[g] ?? 0,
      firstTime: c.firstTime[g] ?? 0, lastTime: c.lastTime[g] ?? 0, firstPacket: c.firstPacket[g] ?? 0, lastPacket: c.lastPacket[g] ?? 0, flags: c.flags[g] ?? 0,
    };
  }

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
    this.ids[0].clear();
    this.ids[1].clear();
    this.conv.count = 0;
    this.slots = new Int32Array(1 << 12);
    this.used = 0;
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

  /** Slot of the hash table for this key: where it is, or the empty slot where it goes. */
  private find(protocol: number, a: number, pa: number, b: number, pb: number): number {
    const mask = this.slots.length - 1;
    let h = Math.imul(a ^ Math.imul(pa, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(b ^ Math.imul(pb, 0xc2b2ae35), 0x27d4eb2f) ^ protocol;
    h = (h ^ (h >>> 15)) & mask;
    const c = this.conv;
    for (;;) {
      const v = this.slots[h] ?? 0;
      if (v === 0) return h;
      const g = v - 1;
      if (c.protocol[g] === protocol && (
        (c.addressA[g] === a && c.portA[g] === pa && c.addressB[g] === b && c.portB[g] === pb) ||
        (c.addressA[g] === b && c.portA[g] === pb && c.addressB[g] === a && c.portB[g] === pa))) return h;
      h = (h + 1) & mask;
    }
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const c = this.conv;
    for (const v of old) {
      if (v === 0) continue;
      const g = v - 1;
      const [a, pa, b, pb] = ordered(c.addressA[g] ?? 0, c.portA[g] ?? 0, c.addressB[g] ?? 0, c.portB[g] ?? 0);
      this.slots[this.find(c.protocol[g] ?? 0, a, pa, b, pb)] = v;
    }
  }

  private read(c: PacketColumns, s: number, n: number): void {
    const ipProtocol = c.ipProtocol[s];
    const srcPort = c.srcPort[s] ?? -1;
    if ((ipProtocol !== IP_TCP && ipProtocol !== IP_UDP) || srcPort < 0) {
      this.streamOf.push(-1);
      this.retransmitted.push(0);
      return;
    }
    const protocol = ipProtocol === IP_TCP ? PROTOCOL_TCP : PROTOCOL_UDP;
    const src = c.srcId[s] ?? 0;
    const dst = c.dstId[s] ?? 0;
    const dstPort = c.dstPort[s] ?? -1;
    const [a, pa, b, pb] = ordered(src, srcPort, dst, dstPort);
    const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    const tcp = protocol === PROTOCOL_TCP ? tcpHeader(c, s) : undefined;
    const conv = this.conv;
    const at = this.find(protocol, a, pa, b, pb);
    let g = (this.slots[at] ?? 0) - 1;
    if (g >= 0 && tcp && this.isNewSyn(g, tcp, src, srcPort)) g = -1;
    if (g < 0) {
      // A SYN-ACK seen first comes from the server: the client is its destination.
      const serverFirst = tcp !== undefined && (tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
      g = conv.add();
      conv.protocol[g] = protocol;
      conv.index[g] = this.ids[protocol]?.length ?? 0;
      this.ids[protocol]?.push(g);
      conv.addressA[g] = serverFirst ? dst : src;
      conv.portA[g] = serverFirst ? dstPort : srcPort;
      conv.addressB[g] = serverFirst ? src : dst;
      conv.portB[g] = serverFirst ? srcPort : dstPort;
      conv.packetsAtoB[g] = 0;
      conv.bytesAtoB[g] = 0;
      conv.packetsBtoA[g] = 0;
      conv.bytesBtoA[g] = 0;
      conv.firstTime[g] = time;
      conv.firstPacket[g] = n;
      conv.flags[g] = 0;
      conv.isnA[g] = -1;
      conv.synTime[g] = -1;
      conv.firstRtt[g] = -1;
      for (const k of [2 * g, 2 * g + 1]) {
        conv.nextSeq[k] = 0;
        conv.seen[k] = 0;
        conv.nextSeqTime[k] = 0;
        conv.lastAck[k] = 0;
        conv.acked[k] = 0;
        conv.window[k] = -1;
        conv.dupAcks[k] = 0;
        conv.lastDupAckTime[k] = 0;
      }
      if ((this.slots[at] ?? 0) === 0) this.used++;
      this.slots[at] = g + 1;
      if (this.used * 2 > this.slots.length) this.rehash();
    }
    const fromA = conv.addressA[g] === src && conv.portA[g] === srcPort;
    const length = c.originalLength[s] ?? 0;
    if (fromA) {
      conv.packetsAtoB[g] = (conv.packetsAtoB[g] ?? 0) + 1;
      conv.bytesAtoB[g] = (conv.bytesAtoB[g] ?? 0) + length;
    } else {
      conv.packetsBtoA[g] = (conv.packetsBtoA[g] ?? 0) + 1;
      conv.bytesBtoA[g] = (conv.bytesBtoA[g] ?? 0) + length;
    }
    conv.lastTime[g] = time;
    conv.lastPacket[g] = n;
    this.streamOf.push(conv.index[g] ?? -1);
    this.retransmitted.push(tcp ? this.sequenceAnalysis(g, fromA, tcp, c.payloadLength[s] ?? 0, time) : 0);
  }

  /** A bare SYN on a finished conversation, or with another initial sequence number: the port was reused. */
  private isNewSyn(g: number, tcp: TcpHeader, src: number, srcPort: number): boolean {
    if ((tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
    const c = this.conv;
    const f = c.flags[g] ?? 0;
    const finished = (f & ConversationFlag.RST) !== 0 || ((f & ConversationFlag.FIN_A) !== 0 && (f & ConversationFlag.FIN_B) !== 0);
    if (!(c.addressA[g] === src && c.portA[g] === srcPort)) return finished;
    const isn = c.isnA[g] ?? -1;
    return finished || (isn >= 0 && isn !== tcp.seq);
  }

  /**
   * Wireshark's retransmission test (packet-tcp.c, tcp_analyze_sequence_number), in its
   * order: data behind this side's next sequence number is a retransmission, unless it
   * is a keep-alive, covers only bytes the other side already acknowledged (spurious),
   * or came sooner after the newest data than the handshake's round trip (out of order);
   * asked for by two duplicate ACKs just before, it is a (fast) retransmission anyway.
   */
  private sequenceAnalysis(g: number, fromA: boolean, tcp: TcpHeader, length: number, time: number): number {
    const c = this.conv;
    const { flags, seq } = tcp;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const ack = (flags & TcpFlag.ACK) !== 0;
    let f = c.flags[g] ?? 0;
    if (syn && ack) f |= ConversationFlag.SYN_ACK;
    else if (syn) {
      f |= ConversationFlag.SYN;
      if (fromA) c.isnA[g] = seq;
      if ((c.synTime[g] ?? -1) < 0) c.synTime[g] = time;
    } else if (ack && fromA && (c.firstRtt[g] ?? 0) < 0 && (c.synTime[g] ?? -1) >= 0 && (f & ConversationFlag.SYN_ACK) !== 0) {
      c.firstRtt[g] = time - (c.synTime[g] ?? 0);
    }
    if (fin) f |= fromA ? ConversationFlag.FIN_A : ConversationFlag.FIN_B;
    if (flags & TcpFlag.RST) f |= ConversationFlag.RST;
    c.flags[g] = f;
    const me = 2 * g + (fromA ? 0 : 1);
    const other = 2 * g + (fromA ? 1 : 0);
    const nextSeq = c.nextSeq[me] ?? 0;
    const span = length + (syn ? 1 : 0) + (fin ? 1 : 0);
    let retransmission = 0;
    if (c.seen[me] === 1 && span > 0 && seqDiff(seq, nextSeq) < 0) {
      const keepAlive = length <= 1 && !syn && !fin && seqDiff(seq, nextSeq) === -1;
      const spurious = length > 0 && c.acked[other] === 1 && seqDiff((seq + length) >>> 0, c.lastAck[other] ?? 0) <= 0;
      const rtt = c.firstRtt[g] ?? -1;
      const threshold = rtt >= 0 ? rtt : OUT_OF_ORDER_SECONDS;
      const outOfOrder = length > 0 && time - (c.nextSeqTime[me] ?? 0) < threshold && nextSeq !== ((seq + length) >>> 0);
      const fast = length > 0 && (c.dupAcks[other] ?? 0) >= 2 && c.lastAck[other] === seq && time - (c.lastDupAckTime[other] ?? 0) < FAST_RETRANSMISSION_SECONDS;
      if (fast || (!keepAlive && !spurious && !outOfOrder)) retransmission = 1;
    }
    const duplicateAck = ack && span === 0 && (flags & TcpFlag.RST) === 0 && c.acked[me] === 1 && tcp.ack === c.lastAck[me] && tcp.window === c.window[me];
    c.dupAcks[me] = duplicateAck ? (c.dupAcks[me] ?? 0) + 1 : 0;
    if (duplicateAck) c.lastDupAckTime[me] = time;
    c.window[me] = tcp.window;
    const end = (seq + span) >>> 0;
    if (c.seen[me] !== 1 || seqDiff(end, nextSeq) > 0) {
      c.nextSeq[me] = end;
      c.nextSeqTime[me] = time;
    }
    c.seen[me] = 1;
    if (ack && (c.acked[me] !== 1 || seqDiff(tcp.ack, c.lastAck[me] ?? 0) > 0)) c.lastAck[me] = tcp.ack;
    if (ack) c.acked[me] = 1;
    return retransmission;
  }
}

/** The endpoint pair in a fixed order, so both directions find one conversation. */
function ordered(a: number, pa: number, b: number, pb: number): [number, number, number, number] {
  return a < b || (a === b && pa <= pb) ? [a, pa, b, pb] : [b, pb, a, pa];
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
