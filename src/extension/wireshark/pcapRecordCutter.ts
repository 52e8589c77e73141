/**
 * Cuts a pcap byte stream (classic pcap, as the spool writes it) at record boundaries:
 * each push gives back the bytes that complete the file header and whole records, and
 * keeps a record's start until its end arrives. A reader on a pipe must never get half a
 * record followed by another one: it would read garbage from there on. A file that ends
 * in half a record (cut by Clear while it was read) leaves that half out.
 */
import { PCAP_MAGIC_MICROSECONDS } from '../../core/pcap/pcapReader';
import { PCAP_GLOBAL_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH } from '../../core/pcap/pcapWriter';

export class PcapRecordCutter {
  private pending: Uint8Array = new Uint8Array(0);
  private headerDone = false;
  /** Whole records given back so far. */
  records = 0;
  /** The file header's link type, once read. */
  linkType: number | undefined;

  push(chunk: Uint8Array): Uint8Array {
    const bytes = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let end = 0;
    if (!this.headerDone) {
      if (bytes.length < PCAP_GLOBAL_HEADER_LENGTH) {
        this.pending = bytes.slice();
        return new Uint8Array(0);
      }
      if (view.getUint32(0, true) !== PCAP_MAGIC_MICROSECONDS) throw new Error('the spool is not a microsecond pcap file');
      this.linkType = view.getUint32(20, true);
      this.headerDone = true;
      end = PCAP_GLOBAL_HEADER_LENGTH;
    }
    while (end + PCAP_RECORD_HEADER_LENGTH <= bytes.length) {
      const next = end + PCAP_RECORD_HEADER_LENGTH + view.getUint32(end + 8, true);
      if (next > bytes.length) break;
      end = next;
      this.records++;
    }
    // Copied: the chunk's buffer may be reused by the reader.
    this.pending = bytes.slice(end);
    return bytes.subarray(0, end);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
