/**
 * What a capture spool holds on disk: a classic pcap file (any tool opens it,
 * and "Save as pcap" is a copy of it) plus a small sidecar with what pcap
 * cannot say: which way each packet went and on which interface. No `node:`
 * imports; the writer and reader around it do the file work.
 *
 * Sidecar layout: one code byte per packet, in pcap record order,
 *   code = interfaceIndex << 1 | (direction 'in' ? 1 : 0)   (0x00..0xFD)
 * and, before the first packet of an interface, a definition
 *   0xFF | u8 nameLength | name (latin1)
 * which gives that name the next index. Append-only, so a batch is one write
 * to each file. At most 127 interface names; more (never seen in practice)
 * share the last index.
 */
import { forEachFrame } from '../../core/frameBatch';
import type { CapturedFrame, Direction } from '../../core/packet';
import { MAX_RECORD_LENGTH } from '../../core/pcap/pcapReader';
import { pcapGlobalHeader, PCAP_GLOBAL_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, writePcapRecord } from '../../core/pcap/pcapWriter';

const DEFINE_INTERFACE = 0xff;
const MAX_INTERFACES = 127;

export interface EncodedSpoolBatch {
  /** Bytes to append to the pcap file (the global header first, for the first batch). */
  pcap: Uint8Array;
  /** Bytes to append to the sidecar. */
  sidecar: Uint8Array;
  /** Packets written. */
  packets: number;
  /** Frames left out because their link type differs from the file's (pcap holds one). */
  skipped: number;
}

/** Turns frame batches into spool bytes; remembers the file's link type and interface table. */
export class SpoolEncoder {
  private linkType: number | undefined;
  private readonly interfaces = new Map<string, number>();

  /** The files were emptied: the next batch starts a new header and interface table. */
  reset(): void {
    this.linkType = undefined;
    this.interfaces.clear();
  }

  encode(batch: Uint8Array): EncodedSpoolBatch {
    const frames: CapturedFrame[] = [];
    forEachFrame(batch, (f) => frames.push(f));
    const first = frames[0];
    const needsHeader = this.linkType === undefined && first !== undefined;
    if (needsHeader) this.linkType = first.linkType;
    let pcapLength = needsHeader ? PCAP_GLOBAL_HEADER_LENGTH : 0;
    const kept: CapturedFrame[] = [];
    for (const f of frames) {
      if (f.linkType !== this.linkType) continue;
      kept.push(f);
      pcapLength += PCAP_RECORD_HEADER_LENGTH + Math.min(f.data.length, MAX_RECORD_LENGTH);
    }
    const pcap = new Uint8Array(pcapLength);
    let offset = 0;
    if (needsHeader) {
      pcap.set(pcapGlobalHeader(this.linkType ?? 1), 0);
      offset = PCAP_GLOBAL_HEADER_LENGTH;
    }
    const sidecar: number[] = [];
    for (const f of kept) {
      offset = writePcapRecord(pcap, offset, f);
      sidecar.push(this.codeFor(f.interfaceName, f.direction, sidecar));
    }
    return { pcap, sidecar: Uint8Array.from(sidecar), packets: kept.length, skipped: frames.length - kept.length };
  }

  private codeFor(name: string, direction: Direction, out: number[]): number {
    let index = this.interfaces.get(name);
    if (index === undefined) {
      if (this.interfaces.size < MAX_INTERFACES) {
        index = this.interfaces.size;
        this.interfaces.set(name, index);
        const bytes = Array.from(name.slice(0, 255), (c) => c.charCodeAt(0) & 0xff);
        out.push(DEFINE_INTERFACE, bytes.length, ...bytes);
      } else {
        index = MAX_INTERFACES - 1;
      }
    }
    return (index << 1) | (direction === 'in' ? 1 : 0);
  }
}

/** Per-packet direction and interface read back from a sidecar. */
export class SpoolSidecar {
  private constructor(
    private readonly codes: Uint8Array,
    private readonly names: string[],
  ) {}

  static parse(bytes: Uint8Array): SpoolSidecar {
    const codes = new Uint8Array(bytes.length);
    const names: string[] = [];
    let count = 0;
    for (let o = 0; o < bytes.length; ) {
      const b = bytes[o] ?? 0;
      if (b !== DEFINE_INTERFACE) {
        codes[count++] = b;
        o++;
        continue;
      }
      const length = bytes[o + 1];
      // A definition cut short by a crash: nothing after it was written either.
      if (length === undefined || o + 2 + length > bytes.length) break;
      let name = '';
      for (let i = 0; i < length; i++) name += String.fromCharCode(bytes[o + 2 + i] ?? 0);
      names.push(name);
      o += 2 + length;
    }
    return new SpoolSidecar(codes.subarray(0, count), names);
  }

  get packets(): number {
    return this.codes.length;
  }

  /** Packet `i` (0-based, pcap record order); unknown packets read as the file viewer shows them. */
  at(i: number): { interfaceName: string; direction: Direction } {
    const code = this.codes[i];
    if (code === undefined) return { interfaceName: 'file', direction: 'out' };
    return { interfaceName: this.names[code >> 1] ?? 'file', direction: code & 1 ? 'in' : 'out' };
  }
}
