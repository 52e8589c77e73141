/**
 * A compact binary form for a batch of captured frames. The helper sends it to
 * the extension host and the host forwards the same bytes to the webview
 * (postMessage transfers ArrayBuffers without copying into JSON), so a packet
 * is encoded once and never turned into text on the hot path.
 *
 * Record layout, little-endian:
 *   u32 tsSec | u32 tsUsec | u32 originalLength | u32 capturedLength |
 *   u16 linkType | u8 direction (0 in, 1 out) | u8 nameLength | name (latin1) | data
 * (20 fixed bytes, then the name, then the captured bytes)
 */
import type { CapturedFrame, Direction } from './packet';

const FIXED_HEADER = 20;

/** Accumulates frames into one growing buffer; `take()` hands out the batch. */
export class FrameBatchWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;
  private frames = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  get frameCount(): number {
    return this.frames;
  }

  get byteLength(): number {
    return this.length;
  }

  add(frame: CapturedFrame): void {
    const name = frame.interfaceName;
    const nameLength = Math.min(name.length, 255);
    const needed = FIXED_HEADER + nameLength + frame.data.length;
    this.reserve(needed);
    const v = this.view;
    let o = this.length;
    v.setUint32(o, frame.tsSec >>> 0, true);
    v.setUint32(o + 4, frame.tsUsec >>> 0, true);
    v.setUint32(o + 8, frame.originalLength >>> 0, true);
    v.setUint32(o + 12, frame.data.length, true);
    v.setUint16(o + 16, frame.linkType & 0xffff, true);
    this.buffer[o + 18] = frame.direction === 'out' ? 1 : 0;
    this.buffer[o + 19] = nameLength;
    o += FIXED_HEADER;
    for (let i = 0; i < nameLength; i++) this.buffer[o + i] = name.charCodeAt(i) & 0xff;
    o += nameLength;
    this.buffer.set(frame.data, o);
    this.length = o + frame.data.length;
    this.frames++;
  }

  /** Returns the encoded batch (a fresh copy) and starts a new one. */
  take(): Uint8Array {
    const out = this.buffer.slice(0, this.length);
    this.length = 0;
    this.frames = 0;
    return out;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

/**
 * Decodes a batch. Frames' `data` are views into `batch` (no copy): callers that
 * keep frames beyond the batch's lifetime own that choice.
 */
export function readFrameBatch(batch: Uint8Array): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  forEachFrame(batch, (f) => frames.push(f));
  return frames;
}

/** Calls `visit` for every frame in the batch; throws on a batch that is cut short. */
export function forEachFrame(batch: Uint8Array, visit: (frame: CapturedFrame) => void): void {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let interfaceName = '';
  let o = 0;
  while (o < batch.length) {
    if (o + FIXED_HEADER > batch.length) throw new Error('frame batch is truncated (header)');
    const tsSec = view.getUint32(o, true);
    const tsUsec = view.getUint32(o + 4, true);
    const originalLength = view.getUint32(o + 8, true);
    const capturedLength = view.getUint32(o + 12, true);
    const linkType = view.getUint16(o + 16, true);
    const direction: Direction = view.getUint8(o + 18) === 1 ? 'out' : 'in';
    const nameLength = view.getUint8(o + 19);
    o += FIXED_HEADER;
    if (o + nameLength + capturedLength > batch.length) throw new Error('frame batch is truncated (data)');
    // Every frame of a pipeline carries the same name: reuse the last string when the bytes match.
    if (!sameName(batch, o, nameLength, interfaceName)) {
      interfaceName = '';
      for (let i = 0; i < nameLength; i++) interfaceName += String.fromCharCode(batch[o + i] ?? 0);
    }
    o += nameLength;
    visit({ tsSec, tsUsec, originalLength, linkType, direction, interfaceName, data: batch.subarray(o, o + capturedLength) });
    o += capturedLength;
  }
}

function sameName(batch: Uint8Array, at: number, length: number, name: string): boolean {
  if (name.length !== length) return false;
  for (let i = 0; i < length; i++) if (batch[at + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** Number of frames in a batch, without decoding them. */
export function frameCount(batch: Uint8Array): number {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let n = 0;
  for (let o = 0; o + FIXED_HEADER <= batch.length; n++) {
    o += FIXED_HEADER + view.getUint8(o + 19) + view.getUint32(o + 12, true);
  }
  return n;
}
