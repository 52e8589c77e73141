/**
 * Writes classic microsecond pcap (magic a1b2c3d4, little-endian, version 2.4): the
 * format tcpdump writes and every tool (Wireshark, tshark, tcpdump -r) opens.
 *
 * One link type per file, because classic pcap has one in its global header. Inside a
 * container eth0, lo and the bridge are all LINKTYPE_ETHERNET, so a normal capture
 * fits one file; frames of another link type (an SLL2 `-i any` capture mixed in) are
 * skipped and counted, never written with a wrong header. pcapng could hold several,
 * but not every tool reads it.
 */
import { MAX_RECORD_LENGTH, PCAP_MAGIC_MICROSECONDS } from './pcapReader';

export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** What a record needs; `CapturedFrame` and `PcapRecord` both fit. */
export interface PcapWritableFrame {
  tsSec: number;
  tsUsec: number;
  originalLength: number;
  data: Uint8Array;
  linkType: number;
}

export function pcapGlobalHeader(linkType: number, snapLength = MAX_RECORD_LENGTH): Uint8Array {
  const bytes = new Uint8Array(PCAP_GLOBAL_HEADER_LENGTH);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, PCAP_MAGIC_MICROSECONDS, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  // bytes 8..15: thiszone and sigfigs, always 0.
  view.setUint32(16, snapLength >>> 0, true);
  view.setUint32(20, linkType >>> 0, true);
  return bytes;
}

/** Writes one record header + data into `target` at `offset`; returns the new offset. */
export function writePcapRecord(target: Uint8Array, offset: number, frame: PcapWritableFrame, snapLength = MAX_RECORD_LENGTH): number {
  const capturedLength = Math.min(frame.data.length, snapLength);
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, frame.tsSec >>> 0, true);
  view.setUint32(offset + 4, frame.tsUsec >>> 0, true);
  view.setUint32(offset + 8, capturedLength, true);
  view.setUint32(offset + 12, Math.max(frame.originalLength, capturedLength) >>> 0, true);
  target.set(capturedLength === frame.data.length ? frame.data : frame.data.subarray(0, capturedLength), offset + PCAP_RECORD_HEADER_LENGTH);
  return offset + PCAP_RECORD_HEADER_LENGTH + capturedLength;
}

/** One record (header + data) as its own bytes, for streaming writers. */
export function pcapRecordBytes(frame: PcapWritableFrame, snapLength = MAX_RECORD_LENGTH): Uint8Array {
  const bytes = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + Math.min(frame.data.length, snapLength));
  writePcapRecord(bytes, 0, frame, snapLength);
  return bytes;
}

export interface PcapFileBytes {
  bytes: Uint8Array;
  linkType: number;
  written: number;
  /** Frames left out because their link type differs from the file's. */
  skipped: number;
}

/**
 * A whole pcap file in one buffer. The link type is `options.linkType`, or else the
 * first frame's (Ethernet for an empty file).
 */
export function encodePcapFile(
  frames: readonly PcapWritableFrame[],
  options: { linkType?: number; snapLength?: number } = {},
): PcapFileBytes {
  const linkType = options.linkType ?? frames[0]?.linkType ?? 1;
  const snapLength = options.snapLength ?? MAX_RECORD_LENGTH;
  let size = PCAP_GLOBAL_HEADER_LENGTH;
  let written = 0;
  for (const frame of frames) {
    if (frame.linkType !== linkType) continue;
    size += PCAP_RECORD_HEADER_LENGTH + Math.min(frame.data.length, snapLength);
    written++;
  }
  const bytes = new Uint8Array(size);
  bytes.set(pcapGlobalHeader(linkType, snapLength), 0);
  let offset = PCAP_GLOBAL_HEADER_LENGTH;
  for (const frame of frames) {
    if (frame.linkType === linkType) offset = writePcapRecord(bytes, offset, frame, snapLength);
  }
  return { bytes, linkType, written, skipped: frames.length - written };
}
