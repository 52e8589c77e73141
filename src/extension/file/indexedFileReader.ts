/**
 * Reads a local pcap or pcapng file as a stream of frameBatch chunks while
 * indexing where each packet's bytes lie (RecordIndex), so the extension host
 * never holds the file: memory is one read buffer, the batch being posted and
 * 12 bytes a packet. The bytes of any packet are read back later by number
 * (`readPackets`), as a hex editor reads the ranges it shows. No `vscode`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { FrameBatchWriter } from '../../core/frameBatch';
import { CaptureFileStreamReader } from '../../core/pcap/captureFileStreamReader';
import { isPcapng } from '../../core/pcap/pcapngReader';
import type { PcapRecord } from '../../core/pcap/pcapReader';
import { frameOfRecord } from '../../core/pcap/recordFrame';
import { RecordIndex } from './recordIndex';

/** 1 MiB reads into one reused buffer: fresh large allocations are what costs here, not the reads. */
export const INDEX_CHUNK_BYTES = 1024 * 1024;
const PCAP_GLOBAL_HEADER = 24;
const PCAP_RECORD_HEADER = 16;

export interface IndexedChunk {
  /** The chunk's packets in the frameBatch encoding (empty when the chunk completed none). */
  batch: Uint8Array;
  packets: number;
}

export class IndexedFileReader {
  readonly index = new RecordIndex();
  private reader = new CaptureFileStreamReader();
  private buffer: Uint8Array;
  private position = 0;
  /** pcap: the file offset of the next record's header (records follow the 24-byte global header back to back). */
  private nextPcapRecord = PCAP_GLOBAL_HEADER;
  private finished = false;
  private problemText: string | undefined;
  /** next() and rewind() run one after another: a rewind during a read would mix two passes' state and buffer. */
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    readonly fileSize: number,
    chunkBytes: number,
    private readonly pcapngFile: boolean,
  ) {
    this.buffer = new Uint8Array(chunkBytes);
  }

  /** Opens `path`; throws with the system's reason when it cannot be opened. */
  static async open(path: string, chunkBytes = INDEX_CHUNK_BYTES): Promise<IndexedFileReader> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      // The format decides how offsets are found; its first four bytes tell it, whatever the read size.
      const head = new Uint8Array(4);
      await handle.read(head, 0, 4, 0);
      return new IndexedFileReader(handle, path, size, chunkBytes, isPcapng(head));
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Why reading stopped before the end (truncated last record, malformed block), once `next` returned undefined. */
  get problem(): string | undefined {
    return this.problemText;
  }

  /** Starts again at the first packet (a reloaded webview wants everything again), once a read under way is done. */
  rewind(): Promise<void> {
    return this.inTurn(async () => this.reset());
  }

  /** The next chunk's packets, indexed; undefined at the end of the file or of what could be read. */
  next(): Promise<IndexedChunk | undefined> {
    return this.inTurn(() => this.readNext());
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work, work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private reset(): void {
    this.reader = new CaptureFileStreamReader();
    this.position = 0;
    this.nextPcapRecord = PCAP_GLOBAL_HEADER;
    this.finished = false;
    this.problemText = undefined;
    this.index.clear();
  }

  private async readNext(): Promise<IndexedChunk | undefined> {
    if (this.finished) return undefined;
    const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.position);
    if (bytesRead === 0) {
      this.finished = true;
      const error = this.reader.end();
      if (error) this.problemText = error.message;
      return undefined;
    }
    const chunk = this.buffer.subarray(0, bytesRead);
    this.position += bytesRead;
    const result = this.reader.push(chunk);
    const writer = new FrameBatchWriter(Math.max(64 * 1024, bytesRead + result.records.length * 32));
    for (const record of result.records) {
      this.index.add(this.dataOffsetOf(record), record.data.length);
      writer.add(frameOfRecord(record));
    }
    if (result.error) {
      // The packets before the bad one are kept and shown.
      this.finished = true;
      this.problemText = result.error.message;
    }
    // Records are views into the reused buffer: the batch (a copy) is all that outlives this call.
    const packets = writer.frameCount;
    return { batch: packets > 0 ? writer.take() : new Uint8Array(0), packets };
  }

  /** Where a record's captured bytes lie in the file: the pcapng reader says it; a pcap's follow from the lengths. */
  private dataOffsetOf(record: PcapRecord): number {
    if (this.pcapngFile) {
      if (record.dataOffset === undefined) throw new Error(`lost track of the packets' offsets in ${this.path}`);
      return record.dataOffset;
    }
    const offset = this.nextPcapRecord + PCAP_RECORD_HEADER;
    this.nextPcapRecord = offset + record.data.length;
    return offset;
  }

  /** The captured bytes of the packets numbered (1-based); undefined for a number not indexed. */
  async readPackets(numbers: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = [];
    for (const number of numbers) {
      const where = this.index.locate(number);
      if (!where) {
        out.push(undefined);
        continue;
      }
      const bytes = new Uint8Array(where.length);
      const { bytesRead } = await this.handle.read(bytes, 0, where.length, where.offset);
      out.push(bytesRead === where.length ? bytes : undefined);
    }
    return out;
  }

  async close(): Promise<void> {
    this.finished = true;
    await this.handle.close();
  }
}
