/**
 * The file offset of every packet's data, found by walking the file's framing
 * alongside the core reader (which gives records, not where they lie): a pcap's
 * records follow each other (16-byte header, then the data); a pcapng's blocks
 * each say their length, and only Enhanced (data at +28) and Simple (data at
 * +12) packet blocks make records. The core reader stops at the first malformed
 * block, so the n-th offset found here is the n-th record's for as far as it read.
 */
const PCAP_GLOBAL_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
const PCAPNG_ENHANCED_PACKET = 6;
const PCAPNG_SIMPLE_PACKET = 3;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** pcap: offsets follow from the records' captured lengths alone, so the caller passes those in order. */
export class PcapDataOffsets {
  private next = PCAP_GLOBAL_HEADER;

  /** The data offset of the next record, whose captured length is `capturedLength`. */
  take(capturedLength: number): number {
    const offset = this.next + PCAP_RECORD_HEADER;
    this.next = offset + capturedLength;
    return offset;
  }
}

/** pcapng: follows block lengths; needs only each block's first 8 bytes (and a section header's magic). */
export class PcapngDataOffsets {
  /** File offset of the block whose header is read next. */
  private blockStart = 0;
  /** File offset of the first byte of the next chunk. */
  private position = 0;
  private littleEndian = true;
  /** Bytes of a block header split across chunks. */
  private carry = new Uint8Array(0);

  /** Reads the next bytes of the file; calls `found` with the data offset of each packet block whose header they complete. */
  push(chunk: Uint8Array, found: (dataOffset: number) => void): void {
    const chunkStart = this.position - this.carry.length;
    const bytes = this.carry.length > 0 ? join(this.carry, chunk) : chunk;
    this.position += chunk.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (;;) {
      const at = this.blockStart - chunkStart;
      if (at + 12 > bytes.length) {
        // The next block's header (type, length, section magic) is not all here yet.
        this.carry = at < bytes.length ? bytes.slice(at) : new Uint8Array(0);
        return;
      }
      let type = view.getUint32(at, this.littleEndian);
      if (view.getUint32(at, true) === PCAPNG_SECTION_HEADER) {
        this.littleEndian = view.getUint32(at + 8, true) === PCAPNG_BYTE_ORDER_MAGIC;
        type = PCAPNG_SECTION_HEADER;
      }
      const total = view.getUint32(at + 4, this.littleEndian);
      // The core reader rejects such a block and stops: so does the walk.
      if (total < 12 || total % 4 !== 0) {
        this.carry = new Uint8Array(0);
        this.blockStart = Number.POSITIVE_INFINITY;
        return;
      }
      if (type === PCAPNG_ENHANCED_PACKET) found(this.blockStart + 28);
      else if (type === PCAPNG_SIMPLE_PACKET) found(this.blockStart + 12);
      this.blockStart += total;
    }
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
