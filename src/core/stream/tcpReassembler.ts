/**
 * TCP stream reassembly: segments in capture order in, each direction's bytes out in
 * sequence order, exactly once. Retransmissions are dropped, overlaps trimmed (the bytes
 * seen first win, as the receiver would keep them), segments that arrive early are held
 * until the hole before them fills; when the hole never fills (the capture missed it, or
 * too much is held), the data after it is delivered with `gapBefore` saying how many bytes
 * are missing, so a consumer knows its parse is out of step.
 *
 * Streams are told apart by their 4-tuple; a new SYN on a tuple whose stream has ended (or
 * that carries another initial sequence number) starts a new stream, as ports get reused.
 * Side 0 is the client when the handshake was seen (the SYN's sender), otherwise whoever
 * sent first.
 */
import { TcpFlag, type TcpSegment } from './tcpSegment';

export type StreamSide = 0 | 1;

export interface TcpStream {
  /** 0, 1, 2... in the order streams were first seen (Wireshark's tcp.stream). */
  readonly index: number;
  /** `address:port` of side 0 and side 1 (IPv6 addresses in brackets). */
  readonly endpoints: readonly [string, string];
}

export interface StreamData {
  stream: TcpStream;
  side: StreamSide;
  /** Offset of `bytes[0]` in this side's byte stream (gaps count as bytes). */
  offset: number;
  bytes: Uint8Array;
  /** The frame whose segment brought these bytes (the frame that filled the hole, for held data). */
  frameIndex: number;
  /** Bytes missing just before `bytes` (0 normally). */
  gapBefore: number;
}

export interface ReassemblerLimits {
  /** Bytes held out of order per direction before the hole is given up as a gap. */
  maxHeldBytes: number;
  /** Segments held out of order per direction before the same. */
  maxHeldSegments: number;
}

const DEFAULT_LIMITS: ReassemblerLimits = { maxHeldBytes: 4 * 1024 * 1024, maxHeldSegments: 2048 };

interface Held {
  seq: number;
  bytes: Uint8Array;
  frameIndex: number;
}

interface Direction {
  /** Next expected sequence number; undefined until the first segment. */
  next: number | undefined;
  isn: number | undefined;
  offset: number;
  held: Held[];
  heldBytes: number;
  finished: boolean;
}

interface StreamState extends TcpStream {
  readonly sides: readonly [Direction, Direction];
  /** `address:port` of side 0, to tell which way a segment goes. */
  readonly side0: string;
  closed: boolean;
}

/** Signed distance a - b in 32-bit sequence space. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function newDirection(): Direction {
  return { next: undefined, isn: undefined, offset: 0, held: [], heldBytes: 0, finished: false };
}

export class TcpReassembler {
  private readonly streams = new Map<string, StreamState>();
  private count = 0;
  private readonly limits: ReassemblerLimits;

  constructor(
    private readonly onData: (data: StreamData) => void,
    limits: Partial<ReassemblerLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Number of streams seen so far. */
  get streamCount(): number {
    return this.count;
  }

  /** Feeds one segment; delivers whatever became contiguous. Returns the stream it belongs to. */
  add(frameIndex: number, segment: TcpSegment): TcpStream {
    const from = endpoint(segment.src, segment.srcPort);
    const to = endpoint(segment.dst, segment.dstPort);
    const key = from < to ? `${from} ${to}` : `${to} ${from}`;
    const syn = (segment.flags & TcpFlag.SYN) !== 0;
    const ack = (segment.flags & TcpFlag.ACK) !== 0;
    let stream = this.streams.get(key);
    if (stream && syn && !ack && this.isNewConnection(stream, from, segment.seq)) {
      this.flushStream(stream);
      stream = undefined;
    }
    if (!stream) {
      // The side that sends a bare SYN is the client; a SYN-ACK comes from the server.
      const side0 = syn && ack ? to : from;
      stream = { index: this.count++, endpoints: side0 === from ? [from, to] : [to, from], sides: [newDirection(), newDirection()], side0, closed: false };
      this.streams.set(key, stream);
    }
    const side: StreamSide = from === stream.side0 ? 0 : 1;
    const dir = stream.sides[side];
    if (syn) {
      if (dir.isn === undefined) {
        dir.isn = segment.seq;
        dir.next = (segment.seq + 1) >>> 0;
      }
      // Data on a SYN (TCP Fast Open) starts one past the SYN's own sequence number.
      if (segment.payload.length > 0) this.accept(stream, side, (segment.seq + 1) >>> 0, segment.payload, frameIndex);
    } else if (segment.payload.length > 0) {
      this.accept(stream, side, segment.seq, segment.payload, frameIndex);
    }
    if ((segment.flags & (TcpFlag.FIN | TcpFlag.RST)) !== 0) {
      dir.finished = true;
      if ((segment.flags & TcpFlag.RST) !== 0 || stream.sides[side === 0 ? 1 : 0].finished) stream.closed = true;
    }
    return stream;
  }

  /** Delivers everything still held, with its gaps (end of a capture file). */
  flush(): void {
    for (const stream of this.streams.values()) this.flushStream(stream);
  }

  private isNewConnection(stream: StreamState, from: string, seq: number): boolean {
    if (from !== stream.side0) return true;
    const isn = stream.sides[0].isn;
    return stream.closed || (isn !== undefined && isn !== seq);
  }

  private flushStream(stream: StreamState): void {
    for (const side of [0, 1] as const) {
      const dir = stream.sides[side];
      while (dir.held.length > 0) this.deliverFirstHeld(stream, side);
    }
  }

  private accept(stream: StreamState, side: StreamSide, seq: number, bytes: Uint8Array, frameIndex: number): void {
    const dir = stream.sides[side];
    if (dir.next === undefined) dir.next = seq; // joined mid-stream: start where we are
    const ahead = seqDiff(seq, dir.next);
    if (ahead > 0) {
      this.hold(stream, side, { seq, bytes: bytes.slice(), frameIndex });
      return;
    }
    if (ahead + bytes.length <= 0) return; // a retransmission of bytes already delivered
    this.deliver(stream, side, bytes.subarray(-ahead), frameIndex, 0);
    this.drainHeld(stream, side, frameIndex);
  }

  private deliver(stream: StreamState, side: StreamSide, bytes: Uint8Array, frameIndex: number, gapBefore: number): void {
    const dir = stream.sides[side];
    dir.offset += gapBefore;
    const offset = dir.offset;
    dir.offset += bytes.length;
    dir.next = ((dir.next ?? 0) + gapBefore + bytes.length) >>> 0;
    this.onData({ stream, side, offset, bytes, frameIndex, gapBefore });
  }

  private hold(stream: StreamState, side: StreamSide, held: Held): void {
    const dir = stream.sides[side];
    const at = dir.held.findIndex((h) => seqDiff(h.seq, held.seq) > 0);
    if (at < 0) dir.held.push(held);
    else dir.held.splice(at, 0, held);
    dir.heldBytes += held.bytes.length;
    while (dir.held.length > 0 && (dir.heldBytes > this.limits.maxHeldBytes || dir.held.length > this.limits.maxHeldSegments)) {
      this.deliverFirstHeld(stream, side);
    }
  }

  /** Gives up on the hole before the first held segment: delivers it after a gap. */
  private deliverFirstHeld(stream: StreamState, side: StreamSide): void {
    const dir = stream.sides[side];
    const first = dir.held[0];
    if (!first) return;
    const gap = Math.max(0, seqDiff(first.seq, dir.next ?? first.seq));
    dir.held.shift();
    dir.heldBytes -= first.bytes.length;
    const skip = gap === 0 ? Math.max(0, -seqDiff(first.seq, dir.next ?? first.seq)) : 0;
    if (skip < first.bytes.length) this.deliver(stream, side, first.bytes.subarray(skip), first.frameIndex, gap);
    this.drainHeld(stream, side, first.frameIndex);
  }

  /** Delivers held segments that became contiguous; trims the parts already delivered. */
  private drainHeld(stream: StreamState, side: StreamSide, frameIndex: number): void {
    const dir = stream.sides[side];
    while (dir.held.length > 0) {
      const first = dir.held[0] as Held;
      const ahead = seqDiff(first.seq, dir.next ?? first.seq);
      if (ahead > 0) return;
      dir.held.shift();
      dir.heldBytes -= first.bytes.length;
      if (ahead + first.bytes.length > 0) this.deliver(stream, side, first.bytes.subarray(-ahead), frameIndex, 0);
    }
  }
}
