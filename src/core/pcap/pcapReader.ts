/**
 * An incremental reader for classic pcap streams (tcpdump `-w -`), pure so it runs in
 * the helper, the CLI and the webview alike.
 *
 * Why not the `pcap-parser` package: it errors on nanosecond pcap, silently drops a
 * truncated last record, uses the deprecated `new Buffer`, and needs Node streams.
 *
 * Record data is a plain Uint8Array VIEW into the chunk passed to `push()` when the record
 * lies inside one chunk, and a fresh exactly-sized copy when it spans chunks. The
 * reader never reuses or mutates either, so records stay valid as long as the caller
 * does not overwrite the chunks it pushed (Node stream chunks are never reused).
 * Keeping a view keeps its whole chunk alive; copy (`data.slice()`) to keep a few
 * packets of many chunks.
 *
 * `forEachRecord()` walks the same records without building a list: it hands one
 * record object, overwritten for every record, to a visitor (the hot path of reading a
 * file: no object and no array slot per packet). Its `data` is a view into the chunk,
 * or into one reused carry buffer for a record split across chunks: a visitor copies
 * what it keeps beyond its call. A reader is fed through one of the two, not both.
 *
 * Errors are values, never exceptions: an unsupported format or an absurd record
 * length makes the stream malformed (`error` is set, later pushes are ignored), and
 * `end()` reports a truncated final record or header.
 */

import type { Direction } from '../packet';
import { isPcapng, PcapngStreamReader } from './pcapngReader';

export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
const GLOBAL_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** tcpdump's largest snap length; no real record is longer. */
export const MAX_RECORD_LENGTH = 256 * 1024;

export interface PcapGlobalHeader {
  /** true when the file was written little-endian. */
  littleEndian: boolean;
  /** true for the nanosecond variant (timestamps are converted to microseconds). */
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  /** LINKTYPE_* (low 16 bits of the header's network field). */
  linkType: number;
}

export interface PcapRecord {
  tsSec: number;
  /** Microseconds (nanosecond files are converted, rounding down). */
  tsUsec: number;
  /** Length on the wire; `data.length` is less when the snap length cut it. */
  originalLength: number;
  /** Captured bytes: a view into the pushed chunk, or a copy when split (see above). */
  data: Uint8Array;
  linkType: number;
  /** pcapng only: the interface's name (`web-1/eth0`), its direction flag and the packet comment. */
  interfaceName?: string;
  direction?: Direction;
  comment?: string;
  /**
   * pcapng only: where the captured bytes start in the stream the reader was
   * given (the file offset, for a file read from its first byte), so a big file
   * can be indexed and its packets read back without walking its blocks again.
   */
  dataOffset?: number;
}

export interface PcapStreamError {
  kind: 'unsupported-format' | 'malformed' | 'truncated';
  message: string;
  /** Byte offset in the stream where the problem starts. */
  streamOffset: number;
}

export interface PcapChunkResult {
  records: PcapRecord[];
  /** Set when this chunk made the stream malformed; the records before it are kept. */
  error?: PcapStreamError;
}

const enum Stage {
  GlobalHeader,
  RecordHeader,
  RecordData,
  Failed,
}

export class PcapStreamReader {
  private stage = Stage.GlobalHeader;
  private globalHeader: PcapGlobalHeader | undefined;
  private streamError: PcapStreamError | undefined;
  /** Bytes consumed so far, for error offsets. */
  private consumed = 0;
  /** Holds a global or record header that arrived in pieces. */
  private readonly headerScratch = new Uint8Array(GLOBAL_HEADER_LENGTH);
  private headerFill = 0;
  /** The record being assembled across chunks. */
  private pendingData: Uint8Array | undefined;
  private pendingFill = 0;
  private pendingTsSec = 0;
  private pendingTsUsec = 0;
  private pendingOriginalLength = 0;
  /** Copied out of the global header so the hot loop reads plain fields. */
  private littleEndian = true;
  private nanosecond = false;
  private linkType = 0;
  private maxRecordLength = MAX_RECORD_LENGTH;
  /** Where completed records go: push()'s list, or forEachRecord()'s visitor. */
  private records: PcapRecord[] | undefined;
  private visitor: ((record: Readonly<PcapRecord>) => void) | undefined;
  private carryBuffer = new Uint8Array(0);
  /** The one record object forEachRecord() hands out (one shape: pcap records never carry the pcapng fields). */
  private readonly cursor: PcapRecord = { tsSec: 0, tsUsec: 0, originalLength: 0, data: new Uint8Array(0), linkType: 0 };

  get header(): PcapGlobalHeader | undefined {
    return this.globalHeader;
  }

  /** The error that stopped the stream, if any. */
  get error(): PcapStreamError | undefined {
    return this.streamError;
  }

  /** Feeds the next bytes of the stream; returns the records they completed. */
  push(chunk: Uint8Array): PcapChunkResult {
    const records: PcapRecord[] = [];
    this.records = records;
    this.visitor = undefined;
    this.walk(chunk);
    this.records = undefined;
    return this.streamError ? { records, error: this.streamError } : { records };
  }

  /**
   * Feeds the next bytes of the stream and hands each record they complete to `visit`
   * (one record object and, for split records, one data buffer, both overwritten for
   * the next: copy what is kept beyond the call).
   * Returns the stream's error once there is one, as push() does (the records before
   * it were visited; later chunks are ignored).
   */
  forEachRecord(chunk: Uint8Array, visit: (record: Readonly<PcapRecord>) => void): PcapStreamError | undefined {
    this.visitor = visit;
    try {
      this.walk(chunk);
    } finally {
      this.visitor = undefined;
    }
    return this.streamError;
  }

  private walk(chunk: Uint8Array): void {
    let pos = 0;
    const length = chunk.length;
    while (pos < length && this.stage !== Stage.Failed) {
      if (this.stage === Stage.GlobalHeader) {
        pos = this.fillHeader(chunk, pos, GLOBAL_HEADER_LENGTH);
        if (this.headerFill === GLOBAL_HEADER_LENGTH) this.parseGlobalHeader();
        continue;
      }
      if (this.stage === Stage.RecordData) {
        pos = this.fillPending(chunk, pos);
        continue;
      }
      // Fast path: whole records inside this chunk, no copying.
      if (this.headerFill === 0) {
        pos = this.readWholeRecords(chunk, pos);
        if (pos >= length || this.stage !== Stage.RecordHeader) continue;
      }
      pos = this.fillHeader(chunk, pos, RECORD_HEADER_LENGTH);
      if (this.headerFill === RECORD_HEADER_LENGTH) {
        const view = new DataView(this.headerScratch.buffer, 0, RECORD_HEADER_LENGTH);
        this.startRecord(view, 0);
      }
    }
  }

  /** Hands a completed record to the visitor or push()'s list. */
  private emit(tsSec: number, tsUsec: number, originalLength: number, data: Uint8Array): void {
    const visit = this.visitor;
    if (visit) {
      const r = this.cursor;
      r.tsSec = tsSec;
      r.tsUsec = tsUsec;
      r.originalLength = originalLength;
      r.data = data;
      r.linkType = this.linkType;
      visit(r);
      return;
    }
    this.records?.push({ tsSec, tsUsec, originalLength, data, linkType: this.linkType });
  }

  /** Ends the stream: reports a missing header or a truncated last record (offset = where it starts). */
  end(): PcapStreamError | undefined {
    if (this.streamError) return this.streamError;
    if (this.stage === Stage.GlobalHeader) {
      this.consumed = 0;
      return this.fail('truncated', this.headerFill === 0 ? 'empty pcap stream: no global header' : `truncated pcap global header: ${this.headerFill} of 24 bytes`);
    }
    if (this.stage === Stage.RecordData && this.pendingData) {
      this.consumed -= RECORD_HEADER_LENGTH + this.pendingFill;
      return this.fail('truncated', `truncated last record: ${this.pendingFill} of ${this.pendingData.length} captured bytes`);
    }
    if (this.headerFill > 0) {
      this.consumed -= this.headerFill;
      return this.fail('truncated', `truncated last record header: ${this.headerFill} of 16 bytes`);
    }
    return undefined;
  }

  private fail(kind: PcapStreamError['kind'], message: string): PcapStreamError {
    this.stage = Stage.Failed;
    this.streamError = { kind, message, streamOffset: this.consumed };
    return this.streamError;
  }

  private fillHeader(chunk: Uint8Array, pos: number, needed: number): number {
    const take = Math.min(needed - this.headerFill, chunk.length - pos);
    this.headerScratch.set(chunk.subarray(pos, pos + take), this.headerFill);
    this.headerFill += take;
    this.consumed += take;
    return pos + take;
  }

  private parseGlobalHeader(): void {
    const view = new DataView(this.headerScratch.buffer, 0, GLOBAL_HEADER_LENGTH);
    this.headerFill = 0;
    const magicBig = view.getUint32(0, false);
    const magicLittle = view.getUint32(0, true);
    let littleEndian: boolean;
    let nanosecond: boolean;
    if (magicLittle === PCAP_MAGIC_MICROSECONDS || magicLittle === PCAP_MAGIC_NANOSECONDS) {
      littleEndian = true;
      nanosecond = magicLittle === PCAP_MAGIC_NANOSECONDS;
    } else if (magicBig === PCAP_MAGIC_MICROSECONDS || magicBig === PCAP_MAGIC_NANOSECONDS) {
      littleEndian = false;
      nanosecond = magicBig === PCAP_MAGIC_NANOSECONDS;
    } else if (magicBig === PCAPNG_SECTION_HEADER) {
      this.consumed -= GLOBAL_HEADER_LENGTH;
      this.fail('unsupported-format', 'this is a pcapng file; only classic pcap is supported (tcpdump -w writes it; convert with `editcap -F pcap IN OUT`)');
      return;
    } else {
      this.consumed -= GLOBAL_HEADER_LENGTH;
      this.fail('unsupported-format', `not a pcap stream: unknown magic number 0x${magicBig.toString(16).padStart(8, '0')}`);
      return;
    }
    this.littleEndian = littleEndian;
    this.nanosecond = nanosecond;
    const snapLength = view.getUint32(16, littleEndian);
    const linkType = view.getUint32(20, littleEndian) & 0xffff;
    this.globalHeader = {
      littleEndian,
      nanosecond,
      versionMajor: view.getUint16(4, littleEndian),
      versionMinor: view.getUint16(6, littleEndian),
      snapLength,
      linkType,
    };
    this.linkType = linkType;
    this.maxRecordLength = snapLength > 0 ? Math.min(MAX_RECORD_LENGTH, snapLength * 2) : MAX_RECORD_LENGTH;
    this.stage = Stage.RecordHeader;
  }

  /** Parses as many complete records as `chunk` holds from `pos`; returns where it stopped. */
  private readWholeRecords(chunk: Uint8Array, pos: number): number {
    // The chunk's buffer and offset read once: per record, the two getters cost about
    // as much as the view they go into (bench 1, 1 M records).
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    const view = new DataView(buffer, base, chunk.byteLength);
    const length = chunk.length;
    const le = this.littleEndian;
    const nano = this.nanosecond;
    const maxRecordLength = this.maxRecordLength;
    while (pos + RECORD_HEADER_LENGTH <= length) {
      const capturedLength = view.getUint32(pos + 8, le);
      if (capturedLength > maxRecordLength) {
        this.fail('malformed', `malformed pcap stream: record length ${capturedLength} exceeds ${maxRecordLength}`);
        return pos;
      }
      const dataStart = pos + RECORD_HEADER_LENGTH;
      const dataEnd = dataStart + capturedLength;
      if (dataEnd > length) {
        // The record continues in the next chunk: copy what is here into its own buffer.
        this.consumed += RECORD_HEADER_LENGTH;
        this.startRecord(view, pos);
        return dataStart;
      }
      const fraction = view.getUint32(pos + 4, le);
      this.consumed += RECORD_HEADER_LENGTH + capturedLength;
      this.emit(
        view.getUint32(pos, le),
        nano ? Math.floor(fraction / 1000) : fraction,
        view.getUint32(pos + 12, le),
        // A plain Uint8Array even when the chunk is a Node Buffer, whose slice() would share memory.
        new Uint8Array(buffer, base + dataStart, capturedLength),
      );
      pos = dataEnd;
    }
    return pos;
  }

  /** Reads a record header at `view[at]` and prepares to collect its data. */
  private startRecord(view: DataView, at: number): void {
    this.headerFill = 0;
    const le = this.littleEndian;
    const capturedLength = view.getUint32(at + 8, le);
    if (capturedLength > this.maxRecordLength) {
      this.consumed -= RECORD_HEADER_LENGTH;
      this.fail('malformed', `malformed pcap stream: record length ${capturedLength} exceeds ${this.maxRecordLength}`);
      return;
    }
    const fraction = view.getUint32(at + 4, le);
    this.pendingTsSec = view.getUint32(at, le);
    this.pendingTsUsec = this.nanosecond ? Math.floor(fraction / 1000) : fraction;
    this.pendingOriginalLength = view.getUint32(at + 12, le);
    this.pendingData = this.visitor ? this.carry(capturedLength) : new Uint8Array(capturedLength);
    this.pendingFill = 0;
    this.stage = Stage.RecordData;
  }

  /**
   * forEachRecord()'s home for a record split across chunks: one buffer, grown as
   * needed and reused (a fresh zero-filled array per split record cost ~2 µs, one per
   * 64 KiB chunk). Its visitors were told not to keep `data` past their call.
   */
  private carry(length: number): Uint8Array {
    if (this.carryBuffer.length < length) this.carryBuffer = new Uint8Array(Math.max(length, 2 * this.carryBuffer.length, 4096));
    return this.carryBuffer.subarray(0, length);
  }

  private fillPending(chunk: Uint8Array, pos: number): number {
    const data = this.pendingData;
    if (!data) {
      this.stage = Stage.RecordHeader;
      return pos;
    }
    const take = Math.min(data.length - this.pendingFill, chunk.length - pos);
    data.set(chunk.subarray(pos, pos + take), this.pendingFill);
    this.pendingFill += take;
    this.consumed += take;
    if (this.pendingFill === data.length) {
      this.pendingData = undefined;
      this.stage = Stage.RecordHeader;
      this.emit(this.pendingTsSec, this.pendingTsUsec, this.pendingOriginalLength, data);
    }
    return pos + take;
  }
}

export interface PcapFile {
  header?: PcapGlobalHeader;
  records: PcapRecord[];
  /** Why reading stopped early (unsupported format, malformed, truncated last record). */
  error?: PcapStreamError;
}

/** Reads a whole pcap or pcapng file held in memory; pcap records are views into `bytes`. */
export function readPcapFile(bytes: Uint8Array): PcapFile {
  if (isPcapng(bytes)) {
    const ng = new PcapngStreamReader();
    const { records } = ng.push(bytes);
    const error = ng.end();
    return error ? { records, error } : { records };
  }
  const reader = new PcapStreamReader();
  const { records } = reader.push(bytes);
  const error = reader.end();
  const header = reader.header;
  const file: PcapFile = { records };
  if (header) file.header = header;
  if (error) file.error = error;
  return file;
}
