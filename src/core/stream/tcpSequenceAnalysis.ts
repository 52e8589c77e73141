/**
 * Wireshark's TCP sequence analysis (`tcp.analysis.retransmission`), per TCP
 * conversation, indexed by its tcp.stream number: its first segment as it came, and a
 * full state from its second segment on (FirstSegments). Kept apart from the
 * conversation columns because only TCP needs it: a capture of many UDP conversations
 * then pays nothing for it (the memory of a million conversations is mostly first-touch
 * page faults, so bytes per conversation are time).
 */
import type { PacketColumns } from '../packetStore';
import { transportOffset } from '../filter/packetFields';
import { TcpFlag } from './tcpSegment';
import { grown, SEGMENT_BITS, SEGMENT_MASK, segmentBytes, segmentForNext } from './typedColumns';

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

/** FirstSegments.bits: the first segment is recorded, came from side A, and a SYN-ACK had been seen with it. */
const RECORDED = 1;
const FROM_A = 2;
const ANSWERED = 4;

/**
 * Per TCP stream, its first segment as it came, and where its full state is once it has
 * one. Most streams of a scan or a flood have a single segment, whose analysis changes
 * nothing anyone reads (a first segment is never a retransmission): the full state (86
 * bytes, mostly fresh memory to fault in) is made at a stream's second segment, which
 * then replays the first. 28 bytes a stream instead of 86 for those; 28 more for the rest.
 */
class FirstSegments {
  readonly seq: Uint32Array;
  readonly ack: Uint32Array;
  readonly window: Uint16Array;
  readonly flags: Uint8Array;
  /** RECORDED, FROM_A, ANSWERED. */
  readonly bits: Uint8Array;
  readonly length: Uint32Array;
  readonly time: Float64Array;
  /** The stream's full state (its number among SequenceSegment entries), -1 until its second segment. */
  readonly state: Int32Array;

  constructor(readonly capacity: number, from?: FirstSegments) {
    this.seq = grown(from?.seq, new Uint32Array(capacity));
    this.ack = grown(from?.ack, new Uint32Array(capacity));
    this.window = grown(from?.window, new Uint16Array(capacity));
    this.flags = grown(from?.flags, new Uint8Array(capacity));
    this.bits = grown(from?.bits, new Uint8Array(capacity));
    this.length = grown(from?.length, new Uint32Array(capacity));
    this.time = grown(from?.time, new Float64Array(capacity));
    this.state = grown(from?.state, new Int32Array(capacity));
  }
}

function newFirstSegments(capacity: number, from?: FirstSegments): FirstSegments {
  return new FirstSegments(capacity, from);
}

/**
 * The full state of TCP streams that have had two segments or more, numbered in the
 * order they got it (FirstSegments.state): state f's at [f & SEGMENT_MASK], each side's
 * at [2 * (f & SEGMENT_MASK) + side], side 0 being A.
 */
class SequenceSegment {
  /** A's initial sequence number (-1 before its SYN), the SYN's time and the handshake's round trip (-1 unknown). */
  readonly isnA: Float64Array;
  readonly synTime: Float64Array;
  readonly firstRtt: Float64Array;
  readonly nextSeq: Uint32Array;
  readonly seen: Uint8Array;
  readonly nextSeqTime: Float64Array;
  readonly lastAck: Uint32Array;
  readonly acked: Uint8Array;
  readonly window: Int32Array;
  /** Duplicate ACKs in a row, saturating at 255 (only "at least two" is ever asked). */
  readonly dupAcks: Uint8Array;
  readonly lastDupAckTime: Float64Array;

  /** Columns for `capacity` streams, holding `from`'s state at their start when given. */
  constructor(readonly capacity: number, from?: SequenceSegment) {
    const two = 2 * capacity;
    // Each column by name (not by reflection over `this`, which would turn the object into a slow dictionary).
    this.isnA = grown(from?.isnA, new Float64Array(capacity));
    this.synTime = grown(from?.synTime, new Float64Array(capacity));
    this.firstRtt = grown(from?.firstRtt, new Float64Array(capacity));
    this.nextSeq = grown(from?.nextSeq, new Uint32Array(two));
    this.seen = grown(from?.seen, new Uint8Array(two));
    this.nextSeqTime = grown(from?.nextSeqTime, new Float64Array(two));
    this.lastAck = grown(from?.lastAck, new Uint32Array(two));
    this.acked = grown(from?.acked, new Uint8Array(two));
    this.window = grown(from?.window, new Int32Array(two));
    this.dupAcks = grown(from?.dupAcks, new Uint8Array(two));
    this.lastDupAckTime = grown(from?.lastDupAckTime, new Float64Array(two));
  }
}

function newSequenceSegment(capacity: number, from?: SequenceSegment): SequenceSegment {
  return new SequenceSegment(capacity, from);
}

/**
 * Per TCP stream, in segments of a fixed size (as the conversation columns are, and for
 * the same reason: growing never copies, each page is written once); the first segment
 * starts small and doubles up to the full size.
 */
export class TcpSequenceAnalysis {
  private count = 0;
  private readonly firsts: FirstSegments[] = [];
  /** Streams with a full state. */
  private stateCount = 0;
  private readonly segments: SequenceSegment[] = [];
  /** The first segment's header, replayed (no object per stream). */
  private readonly replayed: TcpHeader = { seq: 0, ack: 0, flags: 0, window: 0 };

  /** The next tcp.stream, nothing seen yet. */
  add(t: number): void {
    if (t !== this.count) throw new Error(`tcp.stream ${t} added out of order (expected ${this.count})`);
    const k = segmentForNext(this.firsts, t, newFirstSegments);
    const u = t & SEGMENT_MASK;
    this.count++;
    k.bits[u] = 0;
    k.state[u] = -1;
  }

  /** A full state, nothing seen yet: its number. */
  private newState(): number {
    const f = this.stateCount++;
    const k = segmentForNext(this.segments, f, newSequenceSegment);
    const u = f & SEGMENT_MASK;
    k.isnA[u] = -1;
    k.synTime[u] = -1;
    k.firstRtt[u] = -1;
    for (let i = 2 * u; i <= 2 * u + 1; i++) {
      k.nextSeq[i] = 0;
      k.seen[i] = 0;
      k.nextSeqTime[i] = 0;
      k.lastAck[i] = 0;
      k.acked[i] = 0;
      k.window[i] = -1;
      k.dupAcks[i] = 0;
      k.lastDupAckTime[i] = 0;
    }
    return f;
  }

  clear(): void {
    this.count = 0;
    this.stateCount = 0;
  }

  get byteLength(): number {
    return segmentBytes(this.firsts) + segmentBytes(this.segments);
  }

  /** A's initial sequence number, -1 before A's SYN. */
  initialSequenceA(t: number): number {
    const k = this.firsts[t >>> SEGMENT_BITS];
    const u = t & SEGMENT_MASK;
    if (!k || t >= this.count) return -1;
    const f = k.state[u] ?? -1;
    if (f >= 0) return this.segments[f >>> SEGMENT_BITS]?.isnA[f & SEGMENT_MASK] ?? -1;
    // Only a first segment: A's bare SYN sets it, as the full analysis would.
    const bits = k.bits[u] ?? 0;
    const bareSyn = ((k.flags[u] ?? 0) & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    return (bits & RECORDED) !== 0 && (bits & FROM_A) !== 0 && bareSyn ? (k.seq[u] ?? 0) : -1;
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
    const first = this.firsts[t >>> SEGMENT_BITS];
    if (!first || t >= this.count) throw new RangeError(`no tcp.stream ${t} (${this.count} held)`);
    const v = t & SEGMENT_MASK;
    let f = first.state[v] ?? -1;
    if (f < 0) {
      const bits = first.bits[v] ?? 0;
      if ((bits & RECORDED) === 0) {
        // Kept as it came: the analysis of a stream's first segment finds no retransmission.
        first.seq[v] = tcp.seq;
        first.ack[v] = tcp.ack;
        first.window[v] = tcp.window;
        first.flags[v] = tcp.flags;
        first.length[v] = length;
        first.time[v] = time;
        first.bits[v] = RECORDED | (fromA ? FROM_A : 0) | (handshakeAnswered ? ANSWERED : 0);
        return 0;
      }
      f = this.newState();
      first.state[v] = f;
      const r = this.replayed;
      r.seq = first.seq[v] ?? 0;
      r.ack = first.ack[v] ?? 0;
      r.window = first.window[v] ?? 0;
      r.flags = first.flags[v] ?? 0;
      this.analyse(f, (bits & FROM_A) !== 0, r, first.length[v] ?? 0, first.time[v] ?? 0, (bits & ANSWERED) !== 0);
    }
    return this.analyse(f, fromA, tcp, length, time, handshakeAnswered);
  }

  /** The analysis of one segment against full state f; 1 when it is a retransmission. */
  private analyse(f: number, fromA: boolean, tcp: TcpHeader, length: number, time: number, handshakeAnswered: boolean): number {
    const k = this.segments[f >>> SEGMENT_BITS] as SequenceSegment;
    const u = f & SEGMENT_MASK;
    const { flags, seq } = tcp;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const ack = (flags & TcpFlag.ACK) !== 0;
    if (syn && !ack) {
      if (fromA) k.isnA[u] = seq;
      if ((k.synTime[u] ?? -1) < 0) k.synTime[u] = time;
    } else if (!syn && ack && fromA && (k.firstRtt[u] ?? 0) < 0 && (k.synTime[u] ?? -1) >= 0 && handshakeAnswered) {
      k.firstRtt[u] = time - (k.synTime[u] ?? 0);
    }
    const me = 2 * u + (fromA ? 0 : 1);
    const other = 2 * u + (fromA ? 1 : 0);
    const nextSeq = k.nextSeq[me] ?? 0;
    const span = length + (syn ? 1 : 0) + (fin ? 1 : 0);
    let retransmission = 0;
    if (k.seen[me] === 1 && span > 0 && seqDiff(seq, nextSeq) < 0) {
      const keepAlive = length <= 1 && !syn && !fin && seqDiff(seq, nextSeq) === -1;
      const spurious = length > 0 && k.acked[other] === 1 && seqDiff((seq + length) >>> 0, k.lastAck[other] ?? 0) <= 0;
      const rtt = k.firstRtt[u] ?? -1;
      const threshold = rtt >= 0 ? rtt : OUT_OF_ORDER_SECONDS;
      const outOfOrder = length > 0 && time - (k.nextSeqTime[me] ?? 0) < threshold && nextSeq !== ((seq + length) >>> 0);
      const fast = length > 0 && (k.dupAcks[other] ?? 0) >= 2 && k.lastAck[other] === seq && time - (k.lastDupAckTime[other] ?? 0) < FAST_RETRANSMISSION_SECONDS;
      if (fast || (!keepAlive && !spurious && !outOfOrder)) retransmission = 1;
    }
    const duplicateAck = ack && span === 0 && (flags & TcpFlag.RST) === 0 && k.acked[me] === 1 && tcp.ack === k.lastAck[me] && tcp.window === k.window[me];
    k.dupAcks[me] = duplicateAck ? Math.min(255, (k.dupAcks[me] ?? 0) + 1) : 0;
    if (duplicateAck) k.lastDupAckTime[me] = time;
    k.window[me] = tcp.window;
    const end = (seq + span) >>> 0;
    if (k.seen[me] !== 1 || seqDiff(end, nextSeq) > 0) {
      k.nextSeq[me] = end;
      k.nextSeqTime[me] = time;
    }
    k.seen[me] = 1;
    if (ack && (k.acked[me] !== 1 || seqDiff(tcp.ack, k.lastAck[me] ?? 0) > 0)) k.lastAck[me] = tcp.ack;
    if (ack) k.acked[me] = 1;
    return retransmission;
  }
}
