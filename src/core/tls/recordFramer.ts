/**
 * TLS record framing over one direction of a TCP stream: bytes in as TCP delivers them,
 * whole records out, each tagged with the frame that brought its last byte. A header that
 * cannot be TLS (unknown type, not version 3.x, over-long) stops the framer: the stream is
 * not TLS, or it is out of step, and guessing would show garbage.
 */

export interface FramedRecord {
  /** The 5-byte header as sent (TLS 1.3's additional data). */
  header: Uint8Array;
  type: number;
  version: number;
  payload: Uint8Array;
  frameIndex: number;
}

/** RFC 8446: 2^14 plus the largest expansion any version allows (2048). */
const MAX_RECORD_PAYLOAD = 16384 + 2048;

export function looksLikeRecordHeader(d: Uint8Array, o = 0): boolean {
  const type = d[o] ?? 0;
  return type >= 20 && type <= 24 && d[o + 1] === 3 && (d[o + 2] ?? 9) <= 4 && (((d[o + 3] ?? 0) << 8) | (d[o + 4] ?? 0)) <= MAX_RECORD_PAYLOAD;
}

export class RecordFramer {
  /** A record begun in an earlier segment: its whole buffer, allocated once its header is known. */
  private pending: Uint8Array | undefined;
  private pendingFilled = 0;
  /** Fewer than 5 bytes of the next header, waiting for the rest. */
  private readonly head = new Uint8Array(5);
  private headFilled = 0;
  /** Set once the stream stopped looking like TLS; says why. */
  stopped: string | undefined;

  /**
   * Whole records in `bytes` come out as views of it (no copy); only a record cut across
   * segments is copied, once, into a buffer of its own size.
   */
  push(bytes: Uint8Array, frameIndex: number): FramedRecord[] {
    if (this.stopped !== undefined || bytes.length === 0) return [];
    const out: FramedRecord[] = [];
    let o = 0;
    while (o < bytes.length && (this.headFilled > 0 || this.pending)) {
      if (!this.pending) {
        const take = Math.min(5 - this.headFilled, bytes.length - o);
        this.head.set(bytes.subarray(o, o + take), this.headFilled);
        this.headFilled += take;
        o += take;
        if (this.headFilled < 5) return out;
        this.headFilled = 0;
        if (!this.begin(this.head)) return out;
      }
      const pending = this.pending as Uint8Array;
      const take = Math.min(pending.length - this.pendingFilled, bytes.length - o);
      pending.set(bytes.subarray(o, o + take), this.pendingFilled);
      this.pendingFilled += take;
      o += take;
      if (this.pendingFilled < pending.length) return out;
      out.push(framed(pending, 0, frameIndex));
      this.pending = undefined;
    }
    while (o + 5 <= bytes.length) {
      if (!looksLikeRecordHeader(bytes, o)) {
        this.stopped = NOT_TLS;
        return out;
      }
      const length = ((bytes[o + 3] ?? 0) << 8) | (bytes[o + 4] ?? 0);
      if (o + 5 + length > bytes.length) break;
      out.push(framed(bytes, o, frameIndex));
      o += 5 + length;
    }
    if (o < bytes.length) {
      // Copied: the rest of a frame's bytes may be a view into a reused buffer.
      const rest = bytes.subarray(o);
      if (rest.length < 5) {
        this.head.set(rest);
        this.headFilled = rest.length;
      } else if (this.begin(rest)) {
        (this.pending as Uint8Array).set(rest);
        this.pendingFilled = rest.length;
      }
    }
    return out;
  }

  /** Marks the stream as lost (a gap in TCP): nothing after it can be framed. */
  stop(reason: string): void {
    this.stopped ??= reason;
    this.pending = undefined;
    this.headFilled = 0;
  }

  /** Starts a record from its header; false (and stopped) when the header cannot be TLS. */
  private begin(header: Uint8Array): boolean {
    if (!looksLikeRecordHeader(header)) {
      this.stop(NOT_TLS);
      return false;
    }
    this.pending = new Uint8Array(5 + (((header[3] ?? 0) << 8) | (header[4] ?? 0)));
    this.pending.set(header.subarray(0, 5));
    this.pendingFilled = 5;
    return true;
  }
}

const NOT_TLS = 'not a TLS record (stream out of step or not TLS)';

function framed(d: Uint8Array, o: number, frameIndex: number): FramedRecord {
  const length = ((d[o + 3] ?? 0) << 8) | (d[o + 4] ?? 0);
  return { header: d.subarray(o, o + 5), type: d[o] ?? 0, version: ((d[o + 1] ?? 0) << 8) | (d[o + 2] ?? 0), payload: d.subarray(o + 5, o + 5 + length), frameIndex };
}
