/**
 * Length-prefixed framing for the helper channel (see protocol/helperMessages.ts).
 * The decoder refuses oversized messages rather than buffering without end:
 * the peer is trusted only as far as its token, and even then not with memory.
 */
import { MessageKind } from './helperMessages';

export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export type ChannelMessage = { kind: typeof MessageKind.Json; value: unknown } | { kind: typeof MessageKind.Frames; batch: Uint8Array };

/** The 5 bytes in front of every message body: the length of kind + body (u32 LE), then the kind. */
function messageHeader(kind: number, bodyLength: number): Buffer {
  const header = Buffer.allocUnsafe(5);
  header.writeUInt32LE(bodyLength + 1, 0);
  header[4] = kind;
  return header;
}

export function encodeJson(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([messageHeader(MessageKind.Json, body.length), body]);
}

/**
 * A frames message as two parts, header then the batch itself, for a writev
 * (`socket.cork()`, both writes, `uncork()`): the batch is not copied behind
 * a header. The layout on the wire is the same as `encodeFrames`.
 */
export function encodeFramesParts(batch: Uint8Array): [header: Buffer, body: Uint8Array] {
  return [messageHeader(MessageKind.Frames, batch.length), batch];
}

/** A frames message in one buffer (a copy of the batch): for the rare paths that hand bytes on whole. */
export function encodeFrames(batch: Uint8Array): Buffer {
  const [header, body] = encodeFramesParts(batch);
  return Buffer.concat([header, body]);
}

/** A message whose body spans socket reads: its body is allocated once, at its declared size, and filled as reads come. */
interface PartialMessage {
  kind: number;
  body: Uint8Array;
  filled: number;
}

/**
 * Decodes messages in place: a message that lies within one read is a view
 * into that read (no copy); one that spans reads is copied once, read by read,
 * into a body allocated at its declared size. A frames body made so owns its
 * whole ArrayBuffer, which lets the extension host keep and post it as it is.
 * Only the few header bytes cut off at the end of a read are kept aside.
 */
export class ChannelDecoder {
  /** Up to 4 bytes of a header (or the 5 with the kind) cut by the end of a read. */
  private head: Buffer = Buffer.alloc(0);
  private partial: PartialMessage | undefined;

  /** Feeds bytes; returns the complete messages they finish. Throws on a protocol violation. */
  push(chunk: Buffer): ChannelMessage[] {
    const messages: ChannelMessage[] = [];
    let at = 0;
    if (this.partial) {
      at = this.fill(this.partial, chunk, 0);
      if (this.partial.filled < this.partial.body.length) return messages;
      messages.push(toMessage(this.partial.kind, this.partial.body));
      this.partial = undefined;
    }
    if (this.head.length > 0) {
      // A header cut by the last read: complete it from this one (at most 5 bytes are copied).
      const need = 5 - this.head.length;
      const joined = Buffer.concat([this.head, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      if (joined.length >= 4) checkLength(joined.readUInt32LE(0));
      if (joined.length < 5) {
        this.head = joined;
        return messages;
      }
      this.head = Buffer.alloc(0);
      const length = joined.readUInt32LE(0);
      const kind = joined[4] ?? 0;
      at = this.startBody(kind, length - 1, chunk, at, messages);
    }
    while (at < chunk.length && !this.partial) {
      if (chunk.length - at < 5) {
        if (chunk.length - at >= 4) checkLength(chunk.readUInt32LE(at));
        this.head = Buffer.from(chunk.subarray(at));
        break;
      }
      const length = chunk.readUInt32LE(at);
      checkLength(length);
      at = this.startBody(chunk[at + 4] ?? 0, length - 1, chunk, at + 5, messages);
    }
    return messages;
  }

  /** The bytes pushed but not yet part of a complete message; the decoder is empty afterwards. */
  takeBuffered(): Buffer {
    const partial = this.partial;
    let rest = this.head;
    if (partial) {
      rest = Buffer.concat([messageHeader(partial.kind, partial.body.length), partial.body.subarray(0, partial.filled)]);
    }
    this.head = Buffer.alloc(0);
    this.partial = undefined;
    return rest;
  }

  /** A body of `size` bytes starting at `at`: a view when the read holds all of it, else the start of a partial message. */
  private startBody(kind: number, size: number, chunk: Buffer, at: number, messages: ChannelMessage[]): number {
    if (kind !== MessageKind.Json && kind !== MessageKind.Frames) throw new Error(`unknown channel message kind ${String(kind)}`);
    if (chunk.length - at >= size) {
      messages.push(toMessage(kind, new Uint8Array(chunk.buffer, chunk.byteOffset + at, size)));
      return at + size;
    }
    const partial: PartialMessage = { kind, body: new Uint8Array(size), filled: 0 };
    this.partial = partial;
    return this.fill(partial, chunk, at);
  }

  private fill(partial: PartialMessage, chunk: Buffer, at: number): number {
    const n = Math.min(partial.body.length - partial.filled, chunk.length - at);
    partial.body.set(chunk.subarray(at, at + n), partial.filled);
    partial.filled += n;
    return at + n;
  }
}

function checkLength(length: number): void {
  if (length < 1 || length > MAX_MESSAGE_BYTES) throw new Error(`channel message of ${length} bytes refused`);
}

function toMessage(kind: number, body: Uint8Array): ChannelMessage {
  if (kind === MessageKind.Json) return { kind, value: JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) };
  return { kind: MessageKind.Frames, batch: body };
}
