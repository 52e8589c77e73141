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
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Set once the stream stopped looking like TLS; says why. */
  stopped: string | undefined;

  push(bytes: Uint8Array, frameIndex: number): FramedRecord[] {
    if (this.stopped !== undefined || bytes.length === 0) return [];
    const out: FramedRecord[] = [];
    let data = bytes;
    if (this.buffered > 0) {
      this.chunks.push(bytes.slice());
      this.buffered += bytes.length;
      const needed = this.recordLengthOfBuffer();
      if (needed === undefined || this.buffered < needed) return this.checkHeader(out);
      data = this.takeBuffer();
    }
    let o = 0;
    while (o + 5 <= data.length) {
      if (!looksLikeRecordHeader(data, o)) {
        this.stopped = 'not a TLS record (stream out of step or not TLS)';
        return out;
      }
      const length = ((data[o + 3] ?? 0) << 8) | (data[o + 4] ?? 0);
      if (o + 5 + length > data.length) break;
      out.push({ header: data.subarray(o, o + 5), type: data[o] ?? 0, version: ((data[o + 1] ?? 0) << 8) | (data[o + 2] ?? 0), payload: data.subarray(o + 5, o + 5 + length), frameIndex });
      o += 5 + length;
    }
    if (o < data.length) {
      // Keep a copy: the rest of a frame's bytes may be a view into a reused buffer.
      const rest = data.slice(o);
      this.chunks = [rest];
      this.buffered = rest.length;
    }
    return this.checkHeader(out);
  }

  /** Marks the stream as lost (a gap in TCP): nothing after it can be framed. */
  stop(reason: string): void {
    this.stopped ??= reason;
    this.chunks = [];
    this.buffered = 0;
  }

  private checkHeader(out: FramedRecord[]): FramedRecord[] {
    if (this.buffered >= 5) {
      const head = this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : this.peek(5);
      if (!looksLikeRecordHeader(head)) this.stop('not a TLS record (stream out of step or not TLS)');
    }
    return out;
  }

  private recordLengthOfBuffer(): number | undefined {
    if (this.buffered < 5) return undefined;
    const head = this.peek(5);
    return 5 + (((head[3] ?? 0) << 8) | (head[4] ?? 0));
  }

  private peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    for (const c of this.chunks) {
      if (filled >= n) break;
      const part = c.subarray(0, n - filled);
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  private takeBuffer(): Uint8Array {
    const joined = new Uint8Array(this.buffered);
    let at = 0;
    for (const c of this.chunks) {
      joined.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.buffered = 0;
    return joined;
  }
}
