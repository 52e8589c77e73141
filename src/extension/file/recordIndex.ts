/**
 * Where each packet's captured bytes lie in a capture file: one file offset and
 * one length per packet, in typed arrays (12 bytes a packet: 120 MB for 10 M
 * packets), so a huge file is indexed without an object per packet. Offsets are
 * float64 because files pass 4 GiB; a double holds every integer up to 2^53.
 */
const INITIAL_CAPACITY = 64 * 1024;

export class RecordIndex {
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  /** Packets indexed. */
  get size(): number {
    return this.count;
  }

  add(dataOffset: number, capturedLength: number): void {
    if (this.count === this.offsets.length) this.grow();
    this.offsets[this.count] = dataOffset;
    this.lengths[this.count] = capturedLength;
    this.count++;
  }

  /** The bytes of packet `number` (1-based "No."), or undefined past the indexed ones. */
  locate(number: number): { offset: number; length: number } | undefined {
    const i = number - 1;
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    return { offset: this.offsets[i] ?? 0, length: this.lengths[i] ?? 0 };
  }

  clear(): void {
    this.offsets = new Float64Array(INITIAL_CAPACITY);
    this.lengths = new Uint32Array(INITIAL_CAPACITY);
    this.count = 0;
  }

  /** 1.5x, not 2x: at 10 M packets doubling would hold 200 MB of mostly empty arrays. */
  private grow(): void {
    const capacity = Math.ceil(this.offsets.length * 1.5);
    const offsets = new Float64Array(capacity);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Uint32Array(capacity);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }
}
