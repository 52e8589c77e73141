/**
 * Wireshark's TCP sequence analysis (`tcp.analysis.retransmission`), one state per TCP
 * conversation, indexed by its tcp.stream number. Kept apart from the conversation
 * columns because only TCP needs it: a capture of many UDP conversations then pays
 * nothing for it (the memory of a million conversations is mostly first-touch page
 * faults, so bytes per conversation are time).
 */
import type { PacketColumns } from '../packetStore';
import { transportOffset } from '../filter/packetFields';
import { TcpFlag } from './tcpSegment';
import { grown } from './typedColumns';

/** Wireshark's default: a segment behind the sequence this soon after the last one is out of order, not retransmitted. */
const OUT_OF_ORDER_SECONDS = 0.003;
/** Wireshark's window for a fast retransmission after duplicate ACKs. */
const FAST_RETRANSMISSION_SECONDS = 0.02;

/** The TCP header fields the analysis reads. */
export interface TcpHeader {
  seq: number;
  ack: number;
  flags: number;
  window: number;
}

/** Reads the packet's TCP header into `into` (reused: no object per packet); false when the frame is too short to hold it. */
export function readTcpHeader(c: PacketColumns, s: number, into: TcpHeader): boolean {
  const d = c.chunks[c.chunkIndex[s] ?? 0];
  if (!d) return (c.missingBytes(s), false);
  const start = c.chunkOffset[s] ?? 0;
  const t = transportOffset(c, s, d, start);
  const at = start + t;
  if (t < 0 || at + 16 > start + (c.capturedLength[s] ?? 0)) return false;
  into.seq = (((d[at + 4] ?? 0) << 24) | ((d[at + 5] ?? 0) << 16) | ((d[at + 6] ?? 0) << 8) | (d[at + 7] ?? 0)) >>> 0;
  into.ack = (((d[at + 8] ?? 0) << 24) | ((d[at + 9] ?? 0) << 16) | ((d[at + 10] ?? 0) << 8) | (d[at + 11] ?? 0)) >>> 0;
  into.flags = d[at + 13] ?? 0;
  into.window = ((d[at + 14] ?? 0) << 8) | (d[at + 15] ?? 0);
  return true;
}

function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Per TCP stream `t`; per side at [2 * t + side], side 0 being A. */
export class TcpSequenceAnalysis {
  private capacity = 0;
  private count = 0;
  /** A's initial sequence number (-1 before its SYN), the SYN's time and the handshake's round trip (-1 unknown). */
  private isnA = new Float64Array(0);
  private synTime = new Float64Array(0);
  private firstRtt = new Float64Array(0);
  private nextSeq = new Uint32Array(0);
  private seen = new Uint8Array(0);
  private nextSeqTime = new Float64Array(0);
  private lastAck = new Uint32Array(0);
  private acked = new Uint8Array(0);
  private window = new Int32Array(0);
  /** Duplicate ACKs in a row, saturating at 255 (only "at least two" is ever asked). */
  private dupAcks = new Uint8Array(0);
  private lastDupAckTime = new Float64Array(0);

  /** State for the next tcp.stream, nothing seen yet. */
  add(t: number): void {
    if (t !== this.count) throw new Error(`tcp.stream ${t} added out of order (expected ${this.count})`);
    if (t === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    this.count++;
    this.isnA[t] = -1;
    this.synTime[t] = -1;
    this.firstRtt[t] = -1;
    for (let k = 2 * t; k <= 2 * t + 1; k++) {
      this.nextSeq[k] = 0;
      this.seen[k] = 0;
      this.nextSeqTime[k] = 0;
      this.lastAck[k] = 0;
      this.acked[k] = 0;
      this.window[k] = -1;
      this.dupAcks[k] = 0;
      this.lastDupAckTime[k] = 0;
    }
  }

  clear(): void {
    this.count = 0;
  }

  /** A's initial sequence number, -1 before A's SYN. */
  initialSequenceA(t: number): number {
    return this.isnA[t] ?? -1;
  }

  /**
   * Wireshark's retransmission test (packet-tcp.c, tcp_analyze_sequence_number), in its
   * order: data behind this side's next sequence number is a retransmission, unless it
   * is a keep-alive, covers only bytes the other side already acknowledged (spurious),
   * or came sooner after the newest data than the handshake's round trip (out of order);
   * asked for by two duplicate ACKs just before, it is a (fast) retransmission anyway.
   * `handshakeAnswered`: a SYN-ACK has been seen (this segment included). 1 when the
   * segment is a retransmission.
   */
  segment(t: number, fromA: boolean, tcp: TcpHeader, length: number, time: number, handshakeAnswered: boolean): number {
    const { flags, seq } = tcp;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const ack = (flags & TcpFlag.ACK) !== 0;
    if (syn && !ack) {
      if (fromA) this.isnA[t] = seq;
      if ((this.synTime[t] ?? -1) < 0) this.synTime[t] = time;
    } else if (!syn && ack && fromA && (this.firstRtt[t] ?? 0) < 0 && (this.synTime[t] ?? -1) >= 0 && handshakeAnswered) {
      this.firstRtt[t] = time - (this.synTime[t] ?? 0);
    }
    const me = 2 * t + (fromA ? 0 : 1);
    const other = 2 * t + (fromA ? 1 : 0);
    const nextSeq = this.nextSeq[me] ?? 0;
    const span = length + (syn ? 1 : 0) + (fin ? 1 : 0);
    let retransmission = 0;
    if (this.seen[me] === 1 && span > 0 && seqDiff(seq, nextSeq) < 0) {
      const keepAlive = length <= 1 && !syn && !fin && seqDiff(seq, nextSeq) === -1;
      const spurious = length > 0 && this.acked[other] === 1 && seqDiff((seq + length) >>> 0, this.lastAck[other] ?? 0) <= 0;
      const rtt = this.firstRtt[t] ?? -1;
      const threshold = rtt >= 0 ? rtt : OUT_OF_ORDER_SECONDS;
      const outOfOrder = length > 0 && time - (this.nextSeqTime[me] ?? 0) < threshold && nextSeq !== ((seq + length) >>> 0);
      const fast = length > 0 && (this.dupAcks[other] ?? 0) >= 2 && this.lastAck[other] === seq && time - (this.lastDupAckTime[other] ?? 0) < FAST_RETRANSMISSION_SECONDS;
      if (fast || (!keepAlive && !spurious && !outOfOrder)) retransmission = 1;
    }
    const duplicateAck = ack && span === 0 && (flags & TcpFlag.RST) === 0 && this.acked[me] === 1 && tcp.ack === this.lastAck[me] && tcp.window === this.window[me];
    this.dupAcks[me] = duplicateAck ? Math.min(255, (this.dupAcks[me] ?? 0) + 1) : 0;
    if (duplicateAck) this.lastDupAckTime[me] = time;
    this.window[me] = tcp.window;
    const end = (seq + span) >>> 0;
    if (this.seen[me] !== 1 || seqDiff(end, nextSeq) > 0) {
      this.nextSeq[me] = end;
      this.nextSeqTime[me] = time;
    }
    this.seen[me] = 1;
    if (ack && (this.acked[me] !== 1 || seqDiff(tcp.ack, this.lastAck[me] ?? 0) > 0)) this.lastAck[me] = tcp.ack;
    if (ack) this.acked[me] = 1;
    return retransmission;
  }

  /** Each column by name (not by reflection over `this`, which would turn the object into a slow dictionary). */
  private grow(capacity: number): void {
    const two = 2 * capacity;
    this.isnA = grown(this.isnA, new Float64Array(capacity));
    this.synTime = grown(this.synTime, new Float64Array(capacity));
    this.firstRtt = grown(this.firstRtt, new Float64Array(capacity));
    this.nextSeq = grown(this.nextSeq, new Uint32Array(two));
    this.seen = grown(this.seen, new Uint8Array(two));
    this.nextSeqTime = grown(this.nextSeqTime, new Float64Array(two));
    this.lastAck = grown(this.lastAck, new Uint32Array(two));
    this.acked = grown(this.acked, new Uint8Array(two));
    this.window = grown(this.window, new Int32Array(two));
    this.dupAcks = grown(this.dupAcks, new Uint8Array(two));
    this.lastDupAckTime = grown(this.lastDupAckTime, new Float64Array(two));
    this.capacity = capacity;
  }
}
