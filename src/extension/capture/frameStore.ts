/**
 * The frames a capture keeps in memory, as the frameBatch bytes they arrived
 * in: a million packets stay a few hundred chunks of bytes, not a million
 * objects, and replaying them to a reloaded webview is posting the chunks again.
 * Past `maxPackets` the oldest frames are dropped (and counted) so a long
 * capture cannot exhaust the extension host's memory.
 */
import { forEachFrame } from '../../core/frameBatch';
import type { CapturedFrame } from '../../core/packet';

interface Chunk {
  bytes: Uint8Array;
  /** Byte offset of every frame record inside `bytes`. */
  offsets: number[];
}

/** 20 fixed header bytes per record; see core/frameBatch.ts. */
const RECORD_HEADER = 20;

export class FrameStore {
  private chunks: Chunk[] = [];
  private kept = 0;
  private dropped = 0;
  private totalBytes = 0;

  constructor(private maxPackets: number) {
    if (!Number.isInteger(maxPackets) || maxPackets < 1) throw new RangeError(`maxPackets must be a positive integer, got ${maxPackets}`);
  }

  /** Frames currently in memory. */
  get size(): number {
    return this.kept;
  }

  /** Frames dropped from memory (oldest first) since the start or the last clear. */
  get droppedFromMemory(): number {
    return this.dropped;
  }

  /** Frames received since the start or the last clear (kept + dropped). */
  get received(): number {
    return this.kept + this.dropped;
  }

  /** Bytes of the frames in memory (record headers included). */
  get byteLength(): number {
    return this.totalBytes;
  }

  get limit(): number {
    return this.maxPackets;
  }

  /** Adds a frameBatch; returns how many frames it held. Throws on a malformed batch. */
  append(batch: Uint8Array): number {
    if (batch.length === 0) return 0;
    const offsets = recordOffsets(batch);
    // A view into a bigger buffer would keep that whole buffer alive.
    const bytes = batch.byteOffset === 0 && batch.byteLength === batch.buffer.byteLength ? batch : batch.slice();
    this.chunks.push({ bytes, offsets });
    this.kept += offsets.length;
    this.totalBytes += bytes.length;
    this.trim();
    return offsets.length;
  }

  clear(): void {
    this.chunks = [];
    this.kept = 0;
    this.dropped = 0;
    this.totalBytes = 0;
  }

  /** The kept frames as frameBatch chunks, oldest first, for replay to a webview. */
  batches(): Uint8Array[] {
    return this.chunks.map((c) => c.bytes);
  }

  /** Every kept frame, oldest first, with its 1-based packet number. */
  *frames(): Generator<{ number: number; frame: CapturedFrame }> {
    let number = this.dropped;
    for (const chunk of this.chunks) {
      const list: CapturedFrame[] = [];
      forEachFrame(chunk.bytes, (f) => list.push(f));
      for (const frame of list) yield { number: ++number, frame };
    }
  }

  /**
   * The kept frames whose packet numbers are listed (1-based, counted from the
   * start or last clear, like the webview's "No." column), in capture order.
   * Numbers already dropped from memory or never seen are skipped.
   */
  select(packetNumbers: Iterable<number> | undefined): CapturedFrame[] {
    const out: CapturedFrame[] = [];
    if (packetNumbers === undefined) {
      for (const { frame } of this.frames()) out.push(frame);
      return out;
    }
    const wanted = new Set<number>();
    for (const n of packetNumbers) wanted.add(n);
    for (const { number, frame } of this.frames()) if (wanted.has(number)) out.push(frame);
    return out;
  }

  private trim(): void {
    let excess = this.kept - this.maxPackets;
    while (excess > 0) {
      const oldest = this.chunks[0];
      if (!oldest) break;
      if (oldest.offsets.length <= excess) {
        this.chunks.shift();
        excess -= oldest.offsets.length;
        this.kept -= oldest.offsets.length;
        this.dropped += oldest.offsets.length;
        this.totalBytes -= oldest.bytes.length;
        continue;
      }
      // Records are contiguous, so dropping the first N frames of a chunk is a subarray.
      const cut = oldest.offsets[excess] ?? oldest.bytes.length;
      const rest = oldest.bytes.slice(cut);
      this.totalBytes -= cut;
      this.chunks[0] = { bytes: rest, offsets: oldest.offsets.slice(excess).map((o) => o - cut) };
      this.kept -= excess;
      this.dropped += excess;
      excess = 0;
    }
  }
}

/** Offsets of each record in a batch; validates lengths the way forEachFrame does. */
function recordOffsets(batch: Uint8Array): number[] {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const offsets: number[] = [];
  let o = 0;
  while (o < batch.length) {
    if (o + RECORD_HEADER > batch.length) throw new Error('frame batch is truncated (header)');
    const capturedLength = view.getUint32(o + 12, true);
    const nameLength = view.getUint8(o + 19);
    const end = o + RECORD_HEADER + nameLength + capturedLength;
    if (end > batch.length) throw new Error('frame batch is truncated (data)');
    offsets.push(o);
    o = end;
  }
  return offsets;
}
