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

/**
 * Accumulates frames into one growing buffer; `take()` hands out the batch.
 * `allocate` gives the writer its buffers (default: zero-filled Uint8Arrays); the
 * helper passes one that skips the zero fill, since every byte handed out is written first.
 */
export class FrameBatchWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;
  private frames = 0;

  constructor(
    private readonly initialCapacity = 64 * 1024,
    private readonly allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
  ) {
    this.buffer = allocate(initialCapacity);
    this.view = viewOf(this.buffer);
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

  /**
   * Hands out the encoded batch without copying it: a view of the writer's own
   * buffer, which the writer then leaves to the caller (the next batch goes into
   * a new buffer with a quarter more room than this batch took, so batches of a
   * steady size need no growing). The view may be shorter than its ArrayBuffer:
   * a holder that keeps it long or posts it whole decides whether to copy it
   * (the extension host's FrameStore does, see `ownedBatch` there).
   */
  take(): Uint8Array {
    if (this.length === 0) return new Uint8Array(0);
    const out = this.buffer.subarray(0, this.length);
    this.buffer = this.allocate(Math.max(this.initialCapacity, this.length + (this.length >> 2)));
    this.view = viewOf(this.buffer);
    this.length = 0;
    this.frames = 0;
    return out;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = this.allocate(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = viewOf(grown);
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

/**
 * Walks a batch record by record without creating objects: after `next()` returns
 * true, the fields describe the current frame (offsets are into `batch`). Throws,
 * like forEachFrame, when the batch is cut short; the frames before stay read.
 */
export class FrameBatchCursor {
  tsSec = 0;
  tsUsec = 0;
  originalLength = 0;
  capturedLength = 0;
  linkType = 0;
  /** 1 when the container sent it. */
  out = 0;
  nameOffset = 0;
  nameLength = 0;
  dataOffset = 0;
  /** The interface name, reused as long as the name bytes do not change (one per pipeline). */
  interfaceName = '';
  /** Counts name changes, so a caller can cache what it derives from the name. */
  nameVersion = 0;
  private readonly view: DataView;
  private position = 0;

  constructor(readonly batch: Uint8Array) {
    this.view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  }

  next(): boolean {
    const batch = this.batch;
    const view = this.view;
    let o = this.position;
    if (o >= batch.length) return false;
    if (o + FIXED_HEADER > batch.length) throw new Error('frame batch is truncated (header)');
    const capturedLength = view.getUint32(o + 12, true);
    const nameLength = batch[o + 19] ?? 0;
    if (o + FIXED_HEADER + nameLength + capturedLength > batch.length) throw new Error('frame batch is truncated (data)');
    this.tsSec = view.getUint32(o, true);
    this.tsUsec = view.getUint32(o + 4, true);
    this.originalLength = view.getUint32(o + 8, true);
    this.capturedLength = capturedLength;
    this.linkType = view.getUint16(o + 16, true);
    this.out = batch[o + 18] === 1 ? 1 : 0;
    o += FIXED_HEADER;
    this.nameOffset = o;
    this.nameLength = nameLength;
    if (!sameName(batch, o, nameLength, this.interfaceName)) {
      let name = '';
      for (let i = 0; i < nameLength; i++) name += String.fromCharCode(batch[o + i] ?? 0);
      this.interfaceName = name;
      this.nameVersion++;
    }
    this.dataOffset = o + nameLength;
    this.position = this.dataOffset + capturedLength;
    return true;
  }

  /** The current frame's bytes: a view into the batch. */
  data(): Uint8Array {
    // A constructor call is cheaper than subarray(), which looks up the species per call.
    return new Uint8Array(this.batch.buffer, this.batch.byteOffset + this.dataOffset, this.capturedLength);
  }
}

/** Calls `visit` for every frame in the batch; throws on a batch that is cut short. */
export function forEachFrame(batch: Uint8Array, visit: (frame: CapturedFrame) => void): void {
  const cursor = new FrameBatchCursor(batch);
  while (cursor.next()) {
    const direction: Direction = cursor.out === 1 ? 'out' : 'in';
    visit({ tsSec: cursor.tsSec, tsUsec: cursor.tsUsec, originalLength: cursor.originalLength, linkType: cursor.linkType, direction, interfaceName: cursor.interfaceName, data: cursor.data() });
  }
}

function sameName(batch: Uint8Array, at: number, length: number, name: string): boolean {
  if (name.length !== length) return false;
  for (let i = 0; i < length; i++) if (batch[at + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * Byte offset of every record in a batch, validated the way `FrameBatchCursor` does
 * (throws on a batch cut short). For holders that keep batches whole and need to cut
 * them at record boundaries (the extension host's FrameStore).
 */
export function recordOffsets(batch: Uint8Array): Uint32Array {
  const cursor = new FrameBatchCursor(batch);
  const offsets: number[] = [];
  while (cursor.next()) offsets.push(cursor.nameOffset - FIXED_HEADER);
  return Uint32Array.from(offsets);
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
