/**
 * HTTP/1.x messages out of one direction of a reassembled TCP stream, fed in pieces as
 * they arrive: the head (start line and headers) up to the empty line, then a body sized
 * by Content-Length, by chunked transfer coding, or (a response with neither) by the end
 * of the stream. A side that does not open with HTTP, or whose bytes have a hole, stops
 * being parsed: a parser out of step would invent messages.
 */
import { isHttpStart } from '../decode/application';

export interface HttpMessage {
  /** "GET /index.html HTTP/1.1" or "HTTP/1.1 200 OK". */
  startLine: string;
  headers: [string, string][];
  /** Head plus body bytes as sent (chunk framing included). */
  size: number;
  /** Decoded body length (chunk framing removed). */
  bodySize: number;
  /** The first BODY_KEEP bytes of the decoded body. */
  body: Uint8Array;
  firstPacket: number;
  firstTime: number;
  lastPacket: number;
  lastTime: number;
  /** False when the stream ended (or broke) before the message did. */
  complete: boolean;
}

/** Body bytes kept for display per message; the rest is counted only. */
export const BODY_KEEP = 64 * 1024;
const MAX_HEAD = 64 * 1024;

type State = 'head' | 'length' | 'chunkSize' | 'chunkData' | 'chunkEnd' | 'trailer' | 'close' | 'off';

export class HttpMessageParser {
  private state: State = 'head';
  private line: number[] = [];
  private head: number[] = [];
  private message: HttpMessage | undefined;
  private remaining = 0;
  private bodyParts: Uint8Array[] = [];
  private kept = 0;
  private started = false;
  private fin: { packet: number; time: number } | undefined;

  /** `bodyless(startLine)`: true when a response has no body whatever its headers (HEAD, 204, 304, 1xx). */
  constructor(
    private readonly onMessage: (message: HttpMessage) => void,
    private readonly bodyless: (message: HttpMessage) => boolean = () => false,
  ) {}

  get active(): boolean {
    return this.state !== 'off';
  }

  push(bytes: Uint8Array, missingBefore: number, packet: number, time: number): void {
    if (this.state === 'off') return;
    if (missingBefore > 0 || (!this.started && !isHttpStart(bytes, 0, bytes.length))) {
      this.abandon();
      return;
    }
    this.started = true;
    let i = 0;
    while (i < bytes.length && this.active) i = this.step(bytes, i, packet, time);
  }

  /**
   * This side sent its FIN in `packet`. A body read to the end of the stream completes
   * there, or later if data before the FIN was still missing (the FIN can come first).
   */
  noteFin(packet: number, time: number): void {
    this.fin ??= { packet, time };
  }

  /** The stream ended: a body read to the end completes; anything else is cut short. */
  end(): void {
    const m = this.message;
    if (m && this.state === 'close' && this.fin && this.fin.packet > m.lastPacket) {
      m.lastPacket = this.fin.packet;
      m.lastTime = this.fin.time;
    }
    if (m) this.finish(this.state === 'close');
    this.state = 'off';
  }

  private abandon(): void {
    if (this.message) this.finish(false);
    this.state = 'off';
  }

  private step(d: Uint8Array, i: number, packet: number, time: number): number {
    const m = this.message;
    if (m) {
      m.lastPacket = packet;
      m.lastTime = time;
    }
    switch (this.state) {
      case 'head': {
        if (!m) this.message = { startLine: '', headers: [], size: 0, bodySize: 0, body: new Uint8Array(0), firstPacket: packet, firstTime: time, lastPacket: packet, lastTime: time, complete: false };
        let j = i;
        for (; j < d.length; j++) {
          this.head.push(d[j] ?? 0);
          const n = this.head.length;
          if (n >= 4 && this.head[n - 1] === 10 && this.head[n - 2] === 13 && this.head[n - 3] === 10 && this.head[n - 4] === 13) {
            this.headDone();
            return j + 1;
          }
          if (n > MAX_HEAD) {
            this.abandon();
            return d.length;
          }
        }
        return j;
      }
      case 'length':
      case 'chunkData': {
        const take = Math.min(this.remaining, d.length - i);
        this.body(d.subarray(i, i + take));
        this.remaining -= take;
        if (this.remaining === 0) {
          if (this.state === 'length') this.finish(true);
          else this.state = 'chunkEnd';
        }
        return i + take;
      }
      case 'close':
        this.body(d.subarray(i));
        return d.length;
      case 'chunkSize':
      case 'chunkEnd':
      case 'trailer':
        return this.lineStep(d, i);
      case 'off':
        return d.length;
    }
  }

  /** Chunk-size lines, the CRLF after chunk data, trailer lines. */
  private lineStep(d: Uint8Array, i: number): number {
    const b = d[i] ?? 0;
    this.count(1);
    if (b !== 10) {
      if (b !== 13) this.line.push(b);
      if (this.line.length > 1024) this.abandon();
      return i + 1;
    }
    const text = String.fromCharCode(...this.line).trim();
    this.line = [];
    if (this.state === 'chunkEnd') {
      this.state = 'chunkSize';
    } else if (this.state === 'chunkSize') {
      const size = parseInt(text.split(';')[0] ?? '', 16);
      if (!Number.isFinite(size) || size < 0) this.abandon();
      else if (size === 0) this.state = 'trailer';
      else {
        this.remaining = size;
        this.state = 'chunkData';
      }
    } else if (text === '') {
      this.finish(true);
    }
    return i + 1;
  }

  private count(n: number): void {
    if (this.message) this.message.size += n;
  }

  private body(part: Uint8Array): void {
    const m = this.message;
    if (!m) return;
    // Chunk data is counted here; framing bytes in lineStep.
    m.size += part.length;
    m.bodySize += part.length;
    if (this.kept < BODY_KEEP) {
      const keep = part.subarray(0, BODY_KEEP - this.kept);
      this.bodyParts.push(keep.slice());
      this.kept += keep.length;
    }
  }

  private headDone(): void {
    const m = this.message;
    if (!m) return;
    const text = String.fromCharCode(...this.head);
    m.size += this.head.length;
    this.head = [];
    const lines = text.split('\r\n');
    m.startLine = lines[0] ?? '';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) m.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    const header = (name: string): string | undefined => m.headers.find(([k]) => k.toLowerCase() === name)?.[1];
    const isResponse = m.startLine.startsWith('HTTP/');
    const length = header('content-length');
    if (isResponse && this.bodyless(m)) this.finish(true);
    else if (/chunked/i.test(header('transfer-encoding') ?? '')) this.state = 'chunkSize';
    else if (length !== undefined && /^\d+$/.test(length)) {
      this.remaining = Number(length);
      if (this.remaining === 0) this.finish(true);
      else this.state = 'length';
    } else if (isResponse) this.state = 'close';
    else this.finish(true);
  }

  private finish(complete: boolean): void {
    const m = this.message;
    if (!m) return;
    m.complete = complete;
    const body = new Uint8Array(this.kept);
    let at = 0;
    for (const part of this.bodyParts) {
      body.set(part, at);
      at += part.length;
    }
    m.body = body;
    this.message = undefined;
    this.bodyParts = [];
    this.kept = 0;
    this.remaining = 0;
    this.line = [];
    if (this.state !== 'off') this.state = 'head';
    this.onMessage(m);
  }
}
