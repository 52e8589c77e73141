/**
 * Reads pcapng (what Wireshark saves by default, and what `-w x.pcapng`
 * writes): Section Header, Interface Description, Enhanced and Simple Packet
 * Blocks; other blocks (name resolution, statistics, secrets) are skipped.
 * Keeps what pcap cannot carry: the interface's name (`web-1/eth0`), the
 * direction from the packet flags and the packet comment. Incremental like
 * PcapStreamReader: push chunks, records come out; errors are values.
 */
import type { Direction } from '../packet';
import type { PcapChunkResult, PcapRecord, PcapStreamError } from './pcapReader';
import { EPB_DIRECTION_INBOUND, EPB_DIRECTION_OUTBOUND, PCAPNG_BYTE_ORDER_MAGIC, PcapngBlock, PcapngOption } from './pcapngFormat';

/** No real block is this long (a 256 KiB packet plus options); longer means a damaged file. */
const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

interface InterfaceInfo {
  linkType: number;
  name: string | undefined;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: number;
}

const decoder = new TextDecoder();

export class PcapngStreamReader {
  private pending: Uint8Array = new Uint8Array(0);
  private littleEndian = true;
  private interfaces: InterfaceInfo[] = [];
  private consumed = 0;
  private streamError: PcapStreamError | undefined;
  private sawSection = false;

  get error(): PcapStreamError | undefined {
    return this.streamError;
  }

  /** The interface names of the current section, by interface id. */
  get interfaceNames(): (string | undefined)[] {
    return this.interfaces.map((i) => i.name);
  }

  push(chunk: Uint8Array): PcapChunkResult {
    const records: PcapRecord[] = [];
    if (this.streamError) return { records, error: this.streamError };
    let buffer = chunk;
    if (this.pending.length > 0) {
      buffer = new Uint8Array(this.pending.length + chunk.length);
      buffer.set(this.pending);
      buffer.set(chunk, this.pending.length);
    }
    let pos = 0;
    while (buffer.length - pos >= 12 && !this.streamError) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + pos, buffer.length - pos);
      const type = view.getUint32(0, this.littleEndian);
      if (type === PcapngBlock.SECTION_HEADER) {
        // The byte order of this section is in its own header.
        const magic = view.getUint32(8, true);
        if (magic === PCAPNG_BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (magic === 0x4d3c2b1a) this.littleEndian = false;
        else {
          this.fail('malformed', 'malformed pcapng: a section header without its byte-order magic');
          break;
        }
      } else if (!this.sawSection) {
        this.fail('unsupported-format', 'not a pcapng file: it does not start with a section header');
        break;
      }
      const total = view.getUint32(4, this.littleEndian);
      if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK_LENGTH) {
        this.fail('malformed', `malformed pcapng: a block of length ${total}`);
        break;
      }
      if (buffer.length - pos < total) break;
      const body = new DataView(buffer.buffer, buffer.byteOffset + pos + 8, total - 12);
      this.readBlock(type, body, buffer.subarray(pos + 8, pos + total - 4), records);
      pos += total;
      this.consumed += total;
    }
    this.pending = pos < buffer.length ? buffer.slice(pos) : new Uint8Array(0);
    return this.streamError ? { records, error: this.streamError } : { records };
  }

  end(): PcapStreamError | undefined {
    if (this.streamError) return this.streamError;
    if (!this.sawSection) return this.fail('truncated', this.pending.length === 0 ? 'empty pcapng file' : 'truncated pcapng section header');
    if (this.pending.length > 0) return this.fail('truncated', `truncated last pcapng block: ${this.pending.length} bytes`);
    return undefined;
  }

  private fail(kind: PcapStreamError['kind'], message: string): PcapStreamError {
    this.streamError = { kind, message, streamOffset: this.consumed };
    return this.streamError;
  }

  private readBlock(type: number, view: DataView, bytes: Uint8Array, records: PcapRecord[]): void {
    const le = this.littleEndian;
    switch (type) {
      case PcapngBlock.SECTION_HEADER:
        this.sawSection = true;
        this.interfaces = []; // interface ids restart in each section
        return;
      case PcapngBlock.INTERFACE_DESCRIPTION: {
        if (view.byteLength < 8) return void this.fail('malformed', 'malformed pcapng: short interface description');
        const info: InterfaceInfo = { linkType: view.getUint16(0, le), name: undefined, unitsPerSecond: 1e6 };
        this.readOptions(bytes, 8, (code, value) => {
          if (code === PcapngOption.IF_NAME) info.name = decoder.decode(value);
          if (code === PcapngOption.IF_TSRESOL && value.length >= 1) {
            const r = value[0]!;
            info.unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
          }
        });
        this.interfaces.push(info);
        return;
      }
      case PcapngBlock.ENHANCED_PACKET: {
        if (view.byteLength < 20) return void this.fail('malformed', 'malformed pcapng: short packet block');
        const iface = this.interfaces[view.getUint32(0, le)];
        if (!iface) return void this.fail('malformed', `malformed pcapng: a packet on undescribed interface ${view.getUint32(0, le)}`);
        const captured = view.getUint32(12, le);
        if (20 + captured > view.byteLength) return void this.fail('malformed', `malformed pcapng: captured length ${captured} exceeds its block`);
        const units = view.getUint32(4, le) * 4294967296 + view.getUint32(8, le);
        const record: PcapRecord = {
          ...splitTime(units, iface.unitsPerSecond),
          originalLength: view.getUint32(16, le),
          data: bytes.slice(20, 20 + captured),
          linkType: iface.linkType,
          // The block starts at `consumed` (counted after this call); its body at +8, the data 20 further.
          dataOffset: this.consumed + 28,
        };
        if (iface.name !== undefined) record.interfaceName = iface.name;
        this.readOptions(bytes, 20 + ((captured + 3) & ~3), (code, value) => {
          if (code === PcapngOption.EPB_FLAGS && value.length >= 4) {
            const direction = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, le) & 3;
            const d: Direction | undefined = direction === EPB_DIRECTION_INBOUND ? 'in' : direction === EPB_DIRECTION_OUTBOUND ? 'out' : undefined;
            if (d) record.direction = d;
          }
          if (code === PcapngOption.COMMENT) record.comment = decoder.decode(value);
        });
        records.push(record);
        return;
      }
      case PcapngBlock.SIMPLE_PACKET: {
        const iface = this.interfaces[0];
        if (!iface || view.byteLength < 4) return void this.fail('malformed', 'malformed pcapng: a simple packet without an interface');
        const original = view.getUint32(0, le);
        const record: PcapRecord = { tsSec: 0, tsUsec: 0, originalLength: original, data: bytes.slice(4, 4 + Math.min(original, bytes.length - 4)), linkType: iface.linkType, dataOffset: this.consumed + 12 };
        if (iface.name !== undefined) record.interfaceName = iface.name;
        records.push(record);
        return;
      }
      default:
        return; // name resolution, statistics, decryption secrets, custom blocks
    }
  }

  /** Walks the options from `at` to the end of the block body. */
  private readOptions(bytes: Uint8Array, at: number, visit: (code: number, value: Uint8Array) => void): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (at + 4 <= bytes.length) {
      const code = view.getUint16(at, this.littleEndian);
      const length = view.getUint16(at + 2, this.littleEndian);
      if (code === PcapngOption.END || at + 4 + length > bytes.length) return;
      visit(code, bytes.subarray(at + 4, at + 4 + length));
      at += 4 + ((length + 3) & ~3);
    }
  }
}

function splitTime(units: number, unitsPerSecond: number): { tsSec: number; tsUsec: number } {
  const tsSec = Math.floor(units / unitsPerSecond);
  const rest = units - tsSec * unitsPerSecond;
  return { tsSec, tsUsec: Math.min(999_999, Math.floor((rest * 1e6) / unitsPerSecond)) };
}

/** Whether `bytes` start like a pcapng file. */
export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
}
