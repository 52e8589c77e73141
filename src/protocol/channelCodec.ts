/**
 * Length-prefixed framing for the helper channel (see protocol/helperMessages.ts).
 * The decoder refuses oversized messages rather than buffering without end:
 * the peer is trusted only as far as its token, and even then not with memory.
 */
import { MessageKind } from './helperMessages';

export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export type ChannelMessage = { kind: typeof MessageKind.Json; value: unknown } | { kind: typeof MessageKind.Frames; batch: Uint8Array };

export function encodeJson(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const out = Buffer.allocUnsafe(5 + body.length);
  out.writeUInt32LE(body.length + 1, 0);
  out[4] = MessageKind.Json;
  body.copy(out, 5);
  return out;
}

export function encodeFrames(batch: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + batch.length);
  out.writeUInt32LE(batch.length + 1, 0);
  out[4] = MessageKind.Frames;
  out.set(batch, 5);
  return out;
}

export class ChannelDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Feeds bytes; returns the complete messages they finish. Throws on a protocol violation. */
  push(chunk: Buffer): ChannelMessage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: ChannelMessage[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readUInt32LE(0);
      if (length < 1 || length > MAX_MESSAGE_BYTES) throw new Error(`channel message of ${length} bytes refused`);
      if (this.buffered < 4 + length) break;
      const whole = this.take(4 + length);
      const kind = whole[4];
      const body = whole.subarray(5);
      if (kind === MessageKind.Json) messages.push({ kind, value: JSON.parse(body.toString('utf8')) });
      else if (kind === MessageKind.Frames) messages.push({ kind, batch: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) });
      else throw new Error(`unknown channel message kind ${String(kind)}`);
    }
    return messages;
  }

  /** The bytes pushed but not yet part of a complete message; the decoder is empty afterwards. */
  takeBuffered(): Buffer {
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return rest;
  }

  private peek(n: number): Buffer {
    if ((this.chunks[0]?.length ?? 0) < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] as Buffer;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}
