/**
 * One side of a followed stream: its payload as the pieces it arrived in, read as one
 * only when asked. The pieces are views into the packet store's frame chunks, which the
 * store only appends to and drops whole (never rewrites), so they stay what they were
 * while a view keeps them. Copying a 100 MB stream into one array up front took half a
 * second in the page (fresh memory, page by page) for a view that draws its first 1 MB.
 */
export class SideBytes {
  private readonly pieces: Uint8Array[] = [];
  /** Where each piece starts in the side. */
  private readonly starts: number[] = [];
  private joined: Uint8Array | undefined;
  length = 0;

  /** Appends a piece; where it starts in the side. */
  push(bytes: Uint8Array): number {
    const start = this.length;
    this.pieces.push(bytes);
    this.starts.push(start);
    this.length += bytes.length;
    this.joined = undefined;
    return start;
  }

  /** A copy of bytes `start` .. `start + length - 1` (cut at the end of the side). */
  range(start: number, length: number): Uint8Array {
    const end = Math.min(this.length, start + length);
    const out = new Uint8Array(Math.max(0, end - start));
    let i = this.pieceAt(start);
    for (let at = start; at < end; i++) {
      const piece = this.pieces[i] as Uint8Array;
      const from = at - (this.starts[i] ?? 0);
      const take = Math.min(piece.length - from, end - at);
      out.set(piece.subarray(from, from + take), at - start);
      at += take;
    }
    return out;
  }

  /** The whole side in one array (made on the first call, then kept). */
  all(): Uint8Array {
    this.joined ??= this.range(0, this.length);
    return this.joined;
  }

  /** The piece holding byte `offset` (binary search over the starts). */
  private pieceAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
