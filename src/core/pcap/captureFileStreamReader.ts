/**
 * A capture file read as a stream, pcap or pcapng: the first four bytes say which
 * (a pcapng file starts with its section header's block type), and the matching
 * stream reader takes every byte from there. The same records and the same errors
 * as readPcapFile() on the whole file, whatever the chunking; a live channel is
 * always pcap and keeps using PcapStreamReader.
 */
import { PcapngStreamReader, isPcapng } from './pcapngReader';
import { PcapStreamReader, type PcapChunkResult, type PcapStreamError } from './pcapReader';

export class CaptureFileStreamReader {
  private reader: PcapStreamReader | PcapngStreamReader | undefined;
  /** The first bytes, held until there are four to tell the format by. */
  private head = new Uint8Array(0);

  /** True once the format is known and its header was read without error (pcap: the global header). */
  get started(): boolean {
    if (this.reader instanceof PcapStreamReader) return this.reader.header !== undefined;
    return this.reader !== undefined && this.reader.error === undefined;
  }

  push(chunk: Uint8Array): PcapChunkResult {
    if (this.reader) return this.reader.push(chunk);
    const joined = new Uint8Array(this.head.length + chunk.length);
    joined.set(this.head);
    joined.set(chunk, this.head.length);
    if (joined.length < 4) {
      this.head = joined;
      return { records: [] };
    }
    this.head = new Uint8Array(0);
    this.reader = isPcapng(joined) ? new PcapngStreamReader() : new PcapStreamReader();
    return this.reader.push(joined);
  }

  end(): PcapStreamError | undefined {
    // Fewer than four bytes in all: the classic reader says what is missing, as for the whole file.
    if (!this.reader) {
      this.reader = new PcapStreamReader();
      if (this.head.length > 0) this.reader.push(this.head);
    }
    return this.reader.end();
  }
}
