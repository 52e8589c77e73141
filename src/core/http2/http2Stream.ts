/**
 * One direction of an HTTP/2 connection, fed the decrypted bytes in order: recognizes
 * HTTP/2 by its first bytes (the client's connection preface; the server's first frame,
 * which must be SETTINGS), cuts frames across TLS records, joins a header block across
 * CONTINUATION frames and decodes it with this direction's HPACK decoder. Each push
 * returns the frames the bytes completed.
 *
 * Memory: DATA payloads are counted, never kept; other frames' payloads are kept until
 * complete, up to MAX_KEPT_PAYLOAD; a header block up to MAX_HEADER_BLOCK. Past either,
 * or after a gap in the bytes, this direction stops (HPACK state would be lost anyway).
 */
import type { HpackDecoder, HpackDecoderFactory } from './hpack';
import { HTTP2_PREFACE, Http2FrameType, MAGIC_TYPE, type Http2Frame } from './http2Frame';

const MAX_KEPT_PAYLOAD = 1 << 20;
const MAX_HEADER_BLOCK = 1 << 20;
const PREFACE = Uint8Array.from(HTTP2_PREFACE, (c) => c.charCodeAt(0));
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;

type State = 'undecided' | 'preface' | 'frames' | 'notHttp2' | 'stopped';

export class Http2Stream {
  private state: State = 'undecided';
  private header = new Uint8Array(9);
  private headerFill = 0;
  /** The frame being read (its header complete). */
  private frame: Http2Frame | undefined;
  private remaining = 0;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private prefaceSeen = 0;
  /** A server's first bytes, until there are enough to decide. */
  private firstBytes: Uint8Array = new Uint8Array(0);
  /** A header block waiting for its CONTINUATIONs. */
  private block: { frame: Http2Frame; parts: Uint8Array[]; size: number } | undefined;
  private hpackBroken: string | undefined;
  /** Made once the bytes are known to be HTTP/2. */
  private hpack: HpackDecoder | undefined;
  /** Why the direction stopped, for the detail pane. */
  stopReason: string | undefined;

  constructor(
    private readonly fromClient: boolean,
    private readonly hpackFactory: HpackDecoderFactory | undefined,
  ) {}

  /** True once the bytes were recognized as HTTP/2. */
  get isHttp2(): boolean {
    return this.state === 'preface' || this.state === 'frames' || (this.state === 'stopped' && this.prefaceSeen > 0);
  }

  /** Whether this direction was found not to be HTTP/2 (or stopped): nothing more to decode. */
  get done(): boolean {
    return this.state === 'notHttp2' || this.state === 'stopped';
  }

  /** Bytes before these are missing: the frames cannot be followed any further. */
  gap(reason: string): void {
    if (this.state === 'undecided') this.state = 'notHttp2';
    else if (this.state !== 'notHttp2') this.stop(reason);
  }

  push(bytes: Uint8Array): Http2Frame[] {
    const out: Http2Frame[] = [];
    let at = 0;
    if (this.state === 'undecided') {
      // A server's first frame header may come in pieces (a TLS record of fewer than 9 bytes).
      if (!this.fromClient && this.firstBytes.length + bytes.length < 9) {
        this.firstBytes = concat([this.firstBytes, bytes], this.firstBytes.length + bytes.length);
        return out;
      }
      if (this.firstBytes.length > 0) bytes = concat([this.firstBytes, bytes], this.firstBytes.length + bytes.length);
      this.firstBytes = new Uint8Array(0);
      this.decide(bytes);
      if (this.isHttp2) this.hpack = this.hpackFactory?.();
    }
    while (at < bytes.length && (this.state === 'preface' || this.state === 'frames')) {
      if (this.state === 'preface') {
        const take = Math.min(PREFACE.length - this.prefaceSeen, bytes.length - at);
        for (let i = 0; i < take; i++) {
          if (bytes[at + i] !== PREFACE[this.prefaceSeen + i]) {
            this.stop('the connection preface is malformed');
            return out;
          }
        }
        this.prefaceSeen += take;
        at += take;
        if (this.prefaceSeen === PREFACE.length) {
          out.push({ type: MAGIC_TYPE, streamId: 0, flags: 0, length: 0 });
          this.state = 'frames';
        }
        continue;
      }
      at = this.readFrames(bytes, at, out);
    }
    return out;
  }

  private decide(bytes: Uint8Array): void {
    if (this.fromClient) {
      // Enough of the preface to be sure; a shorter first record is checked as it goes.
      const n = Math.min(bytes.length, PREFACE.length);
      let same = n > 0;
      for (let i = 0; i < n && same; i++) same = bytes[i] === PREFACE[i];
      this.state = same ? 'preface' : 'notHttp2';
      return;
    }
    // The server's preface is a SETTINGS frame on stream 0 whose length is a multiple of 6.
    const ok = bytes.length >= 9 && bytes[3] === Http2FrameType.settings && ((bytes[5] ?? 0) & 0x7f) === 0 && bytes[6] === 0 && bytes[7] === 0 && bytes[8] === 0 && (((bytes[0] ?? 0) << 16) | ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0)) % 6 === 0;
    this.state = ok ? 'frames' : 'notHttp2';
    if (ok) this.prefaceSeen = 1;
  }

  private readFrames(bytes: Uint8Array, start: number, out: Http2Frame[]): number {
    let at = start;
    while (at < bytes.length && this.state === 'frames') {
      if (!this.frame) {
        const take = Math.min(9 - this.headerFill, bytes.length - at);
        this.header.set(bytes.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < 9) break;
        this.headerFill = 0;
        const h = this.header;
        const length = ((h[0] ?? 0) << 16) | ((h[1] ?? 0) << 8) | (h[2] ?? 0);
        const frame: Http2Frame = { type: h[3] ?? 0, flags: h[4] ?? 0, streamId: (((h[5] ?? 0) & 0x7f) * 0x1000000) + (((h[6] ?? 0) << 16) | ((h[7] ?? 0) << 8) | (h[8] ?? 0)), length };
        if (this.block && frame.type !== Http2FrameType.continuation) {
          this.stop('a header block was interrupted by another frame');
          return bytes.length;
        }
        this.frame = frame;
        this.remaining = length;
        // DATA payloads are not kept (their length is all the list shows); the rest is small.
        const keep = frame.type === Http2FrameType.data ? 0 : length;
        if (keep > MAX_KEPT_PAYLOAD) {
          this.stop(`a ${length}-byte frame is larger than this decoder keeps`);
          return bytes.length;
        }
        this.payload = keep > 0 ? new Uint8Array(keep) : undefined;
        this.payloadFill = 0;
      }
      const take = Math.min(this.remaining, bytes.length - at);
      if (this.payload) this.payload.set(bytes.subarray(at, at + take), this.payloadFill);
      this.payloadFill += take;
      this.remaining -= take;
      at += take;
      if (this.remaining > 0) break;
      const frame = this.frame;
      const payload = this.payload ?? new Uint8Array(0);
      this.frame = undefined;
      this.payload = undefined;
      this.complete(frame, payload, out);
    }
    return this.state === 'frames' ? at : bytes.length;
  }

  private complete(frame: Http2Frame, payload: Uint8Array, out: Http2Frame[]): void {
    out.push(frame);
    if (frame.type === Http2FrameType.headers || frame.type === Http2FrameType.pushPromise) {
      let from = 0;
      let to = payload.length;
      if (frame.flags & FLAG_PADDED) {
        from = 1;
        to -= payload[0] ?? 0;
      }
      if (frame.type === Http2FrameType.headers && frame.flags & FLAG_PRIORITY) from += 5;
      if (frame.type === Http2FrameType.pushPromise) from += 4;
      if (from > to) {
        frame.headerError = 'the frame is shorter than its padding and fields';
        this.breakHpack('a header block was malformed');
        return;
      }
      this.block = { frame, parts: [payload.subarray(from, to)], size: to - from };
    } else if (frame.type === Http2FrameType.continuation && this.block) {
      this.block.parts.push(payload);
      this.block.size += payload.length;
    } else {
      return;
    }
    if (this.block.size > MAX_HEADER_BLOCK) {
      this.stop(`a header block is larger than ${MAX_HEADER_BLOCK} bytes`);
      return;
    }
    if (frame.flags & FLAG_END_HEADERS) this.decodeBlock();
  }

  private decodeBlock(): void {
    const block = this.block;
    this.block = undefined;
    if (!block) return;
    if (this.hpackBroken || !this.hpack) {
      block.frame.headerError = this.hpackBroken ?? 'no HPACK decoder here';
      return;
    }
    const bytes = block.parts.length === 1 ? (block.parts[0] as Uint8Array) : concat(block.parts, block.size);
    try {
      block.frame.headers = this.hpack.decode(bytes);
    } catch (error) {
      block.frame.headerError = `HPACK: ${error instanceof Error ? error.message : String(error)}`;
      // The dynamic table is now unknown: later blocks of this direction would decode wrongly.
      this.breakHpack('an earlier header block of this direction could not be decoded');
    }
  }

  private breakHpack(reason: string): void {
    this.hpackBroken ??= reason;
  }

  private stop(reason: string): void {
    this.state = 'stopped';
    this.stopReason = reason;
    this.frame = undefined;
    this.payload = undefined;
    this.block = undefined;
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
