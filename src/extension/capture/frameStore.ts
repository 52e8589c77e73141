/**
 * The frames a capture keeps in memory, as the frameBatch bytes they arrived
 * in: a million packets stay a few hundred chunks of bytes, not a million
 * objects, and replaying them to a reloaded webview is posting the chunks again.
 * Past `maxPackets` frames or `maxBytes` bytes the oldest frames are dropped
 * (and counted) so a long capture cannot exhaust the extension host's memory:
 * a count alone is no bound when frames can be 64 KiB each (issue 11).
 *
 * Bytes are accounted as what the store holds for its frames: the batch bytes
 * (record headers included) plus 4 bytes of offset per frame. `byteLength`
 * never exceeds `maxBytes` once `append` returns.
 */
import { forEachFrame, recordOffsets } from '../../core/frameBatch';
import type { CapturedFrame } from '../../core/packet';

interface Chunk {
  bytes: Uint8Array;
  /** Byte offset of every frame record inside `bytes`. */
  offsets: Uint32Array;
}

/**
 * The batch as bytes that own their whole ArrayBuffer: the batch itself when it
 * does (the channel decoder's body of a message that spanned reads: kept by
 * reference, no copy), else one copy. A view into a bigger buffer would keep
 * that whole buffer alive, and postMessage would carry the whole buffer to the
 * webview (VS Code serializes a typed array's entire ArrayBuffer).
 */
export function ownedBatch(batch: Uint8Array): Uint8Array {
  const owns = batch.byteOffset === 0 && batch.byteLength === batch.buffer.byteLength && batch.constructor === Uint8Array;
  if (owns) return batch;
  // A plain Uint8Array (a Buffer's slice() would be a view, and VS Code posts only plain typed arrays as binary).
  const copy = new Uint8Array(batch.length);
  copy.set(batch);
  return copy;
}

/** What a chunk costs in the store's accounting. */
function chunkCost(bytes: Uint8Array, offsets: Uint32Array): number {
  return bytes.length + offsets.byteLength;
}

export class FrameStore {
  private chunks: Chunk[] = [];
  private kept = 0;
  private dropped = 0;
  private totalBytes = 0;

  /** `maxBytes` (default: no byte limit) bounds `byteLength`. */
  constructor(
    private maxPackets: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(maxPackets) || maxPackets < 1) throw new RangeError(`maxPackets must be a positive integer, got ${maxPackets}`);
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
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

  /** Bytes held for the frames in memory (record headers and offsets included); at most `byteLimit`. */
  get byteLength(): number {
    return this.totalBytes;
  }

  get limit(): number {
    return this.maxPackets;
  }

  /** The byte budget (Infinity when there is none). */
  get byteLimit(): number {
    return this.maxBytes;
  }

  /**
   * Adds a frameBatch; returns how many frames it held. Throws on a malformed batch.
   * Pass it through `ownedBatch` first to share its bytes with others (the store then keeps that same array).
   */
  append(batch: Uint8Array): number {
    if (batch.length === 0) return 0;
    const offsets = recordOffsets(batch);
    const bytes = ownedBatch(batch);
    this.chunks.push({ bytes, offsets });
    this.kept += offsets.length;
    this.totalBytes += chunkCost(bytes, offsets);
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
    while (this.kept > this.maxPackets || this.totalBytes > this.maxBytes) {
      const oldest = this.chunks[0];
      if (!oldest) break;
      const excess = this.framesToDrop(oldest);
      if (excess >= oldest.offsets.length) {
        this.chunks.shift();
        this.kept -= oldest.offsets.length;
        this.dropped += oldest.offsets.length;
        this.totalBytes -= chunkCost(oldest.bytes, oldest.offsets);
        continue;
      }
      // Records are contiguous, so dropping the first N frames of a chunk is a copy of the rest
      // (a subarray would keep the dropped bytes alive).
      const cut = oldest.offsets[excess] ?? oldest.bytes.length;
      const rest = { bytes: oldest.bytes.slice(cut), offsets: oldest.offsets.slice(excess).map((o) => o - cut) };
      this.totalBytes += chunkCost(rest.bytes, rest.offsets) - chunkCost(oldest.bytes, oldest.offsets);
      this.chunks[0] = rest;
      this.kept -= excess;
      this.dropped += excess;
    }
  }

  /** How many of the oldest chunk's frames must go for both limits to hold (all of them if that is not enough). */
  private framesToDrop(oldest: Chunk): number {
    const n = oldest.offsets.length;
    let drop = Math.max(0, this.kept - this.maxPackets);
    const over = this.totalBytes - this.maxBytes;
    if (over > 0) {
      // Dropping the first k frames frees the bytes before offsets[k] plus 4 bytes per offset.
      let k = drop;
      while (k < n && (oldest.offsets[k] ?? 0) + 4 * k < over) k++;
      drop = Math.max(drop, k);
    }
    return Math.min(Math.max(drop, 1), n);
  }
}
