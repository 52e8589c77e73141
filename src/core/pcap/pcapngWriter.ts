/**
 * Writes pcapng, the format that can say what classic pcap cannot: which
 * container and interface a packet was seen on, and which way it went. One
 * Interface Description Block per (container, interface, link type), named
 * `web-1/eth0` so Wireshark's interface column and `frame.interface_name`
 * show it; the direction in each Enhanced Packet Block's flags
 * (`frame.packet_flags_direction`); the container also in a packet comment
 * (`frame.comment`), which every Wireshark version shows in the packet
 * details. Little-endian, microsecond timestamps (if_tsresol left at its
 * default). Streaming: blocks come out as frames go in.
 */
import type { CapturedFrame } from '../packet';
import { MAX_RECORD_LENGTH } from './pcapReader';
import { EPB_DIRECTION_INBOUND, EPB_DIRECTION_OUTBOUND, PCAPNG_BYTE_ORDER_MAGIC, PcapngBlock, PcapngOption } from './pcapngFormat';

/** A frame the writer takes: a captured frame, with the container it was captured in when known. */
export type PcapngWritableFrame = CapturedFrame & { container?: string };

const encoder = new TextEncoder();

/** One option: code, length, value padded to 4 bytes. */
function optionBytes(code: number, value: Uint8Array): Uint8Array {
  const padded = (value.length + 3) & ~3;
  const bytes = new Uint8Array(4 + padded);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  bytes.set(value, 4);
  return bytes;
}

function textOption(code: number, text: string): Uint8Array {
  // An option's length is 16 bits; a name or comment this long is a mistake, cut it.
  return optionBytes(code, encoder.encode(text).subarray(0, 60_000));
}

/** A block: type, total length, body, options + end of options, total length again. */
function block(type: number, body: Uint8Array, options: Uint8Array[]): Uint8Array {
  const bodyPadded = (body.length + 3) & ~3;
  const optionsLength = options.length === 0 ? 0 : options.reduce((n, o) => n + o.length, 0) + 4;
  const total = 12 + bodyPadded + optionsLength;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  bytes.set(body, 8);
  let at = 8 + bodyPadded;
  for (const o of options) {
    bytes.set(o, at);
    at += o.length;
  }
  // The end-of-options option is four zero bytes, already there.
  view.setUint32(total - 4, total, true);
  return bytes;
}

/** The Section Header Block that starts the file. */
export function pcapngSectionHeader(application = 'docker-network-capture'): Uint8Array {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  view.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, 0, true);
  // Section length -1: not known in advance (we stream).
  view.setInt32(8, -1, true);
  view.setInt32(12, -1, true);
  return block(PcapngBlock.SECTION_HEADER, body, [textOption(PcapngOption.SHB_USER_APPLICATION, application)]);
}

/** The interface's name in the file: `container/interface`, or the interface alone. */
export function pcapngInterfaceName(frame: Pick<PcapngWritableFrame, 'container' | 'interfaceName'>): string {
  const iface = frame.interfaceName || 'unknown';
  return frame.container ? `${frame.container}/${iface}` : iface;
}

export class PcapngWriter {
  private readonly interfaces = new Map<string, number>();

  constructor(private readonly snapLength = MAX_RECORD_LENGTH) {}

  /** The blocks for one frame: its interface's description first when this interface is new, then the packet. */
  frameBlocks(frame: PcapngWritableFrame): Uint8Array[] {
    const name = pcapngInterfaceName(frame);
    const key = `${frame.linkType}\u0000${name}`;
    let id = this.interfaces.get(key);
    const out: Uint8Array[] = [];
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(key, id);
      out.push(this.interfaceBlock(frame, name));
    }
    out.push(this.packetBlock(frame, id));
    return out;
  }

  get interfaceCount(): number {
    return this.interfaces.size;
  }

  private interfaceBlock(frame: PcapngWritableFrame, name: string): Uint8Array {
    const body = new Uint8Array(8);
    const view = new DataView(body.buffer);
    view.setUint16(0, frame.linkType, true);
    view.setUint32(4, this.snapLength >>> 0, true);
    const options = [textOption(PcapngOption.IF_NAME, name)];
    if (frame.container) options.push(textOption(PcapngOption.IF_DESCRIPTION, `interface ${frame.interfaceName} of container ${frame.container}`));
    return block(PcapngBlock.INTERFACE_DESCRIPTION, body, options);
  }

  private packetBlock(frame: PcapngWritableFrame, interfaceId: number): Uint8Array {
    const captured = Math.min(frame.data.length, this.snapLength);
    const body = new Uint8Array(20 + captured);
    const view = new DataView(body.buffer);
    // Microseconds since the epoch as a 64-bit count, split high/low.
    const micros = BigInt(frame.tsSec) * 1_000_000n + BigInt(Math.floor(frame.tsUsec));
    view.setUint32(0, interfaceId, true);
    view.setUint32(4, Number(micros >> 32n), true);
    view.setUint32(8, Number(micros & 0xffffffffn), true);
    view.setUint32(12, captured, true);
    view.setUint32(16, Math.max(frame.originalLength, captured) >>> 0, true);
    body.set(captured === frame.data.length ? frame.data : frame.data.subarray(0, captured), 20);
    const flags = new Uint8Array(4);
    new DataView(flags.buffer).setUint32(0, frame.direction === 'out' ? EPB_DIRECTION_OUTBOUND : EPB_DIRECTION_INBOUND, true);
    const options = [optionBytes(PcapngOption.EPB_FLAGS, flags)];
    if (frame.container) options.push(textOption(PcapngOption.COMMENT, `container ${frame.container}`));
    return block(PcapngBlock.ENHANCED_PACKET, body, options);
  }
}

/** A whole pcapng file in one buffer. */
export function encodePcapngFile(frames: readonly PcapngWritableFrame[], options: { snapLength?: number } = {}): Uint8Array {
  const writer = new PcapngWriter(options.snapLength);
  const parts = [pcapngSectionHeader()];
  for (const f of frames) parts.push(...writer.frameBlocks(f));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}
