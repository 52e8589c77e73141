/**
 * File formats for Save and Open: the seed's JSON records (plus `frame`, the
 * whole frame in hex, and its timing, so a saved file re-opens exactly) and
 * pcap via the shared core writer and reader.
 */
import { summarize } from '../../core/decode/index';
import type { CapturedFrame } from '../../core/packet';
import { readPcapFile } from '../../core/pcap/pcapReader';
import { encodePcapFile } from '../../core/pcap/pcapWriter';
import { frameOfRecord } from '../../core/pcap/recordFrame';
import { toSeedJsonRecord } from '../../core/seedFormat';
import { bytesToHex, framesFromJsonText } from '../file/seedJsonFrames';

/** A JSON array, one record per line, as the seed printed it plus round-trip fields. */
export function encodeJsonCapture(frames: readonly CapturedFrame[]): Uint8Array {
  const lines = frames.map((f) => {
    const record: Record<string, unknown> = { ...toSeedJsonRecord(f, summarize(f.data, f.linkType, f.originalLength)) };
    // Only add what the seed's record does not already carry.
    if (record.frame === undefined) record.frame = bytesToHex(f.data);
    if (record.time === undefined) record.time = f.tsSec + f.tsUsec / 1e6;
    if (record.direction === undefined) record.direction = f.direction;
    if (record.link_type === undefined) record.link_type = f.linkType;
    if (record.original_length === undefined) record.original_length = f.originalLength;
    return '  ' + JSON.stringify(record);
  });
  return new TextEncoder().encode(lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`);
}

export interface PcapEncodeResult {
  bytes: Uint8Array;
  /** Frames left out because their link type differs from the file's (pcap holds one). */
  skipped: number;
}

/** A classic microsecond pcap; the link type is the first frame's (Ethernet for every capture this tool makes). */
export function encodePcapCapture(frames: readonly CapturedFrame[]): PcapEncodeResult {
  const file = encodePcapFile(frames);
  return { bytes: file.bytes, skipped: file.skipped };
}

export interface DecodedCaptureFile {
  frames: CapturedFrame[];
  /** Set when part (or all) of the file could not be read. */
  problem?: string;
}

/** Reads a .pcap/.cap/.pcapng or a saved .json capture. */
export function decodeCaptureFile(fileName: string, bytes: Uint8Array): DecodedCaptureFile {
  if (/\.json$/i.test(fileName)) {
    const result = framesFromJsonText(new TextDecoder().decode(bytes));
    return result.problems.length > 0 ? { frames: result.frames, problem: result.problems.join('; ') } : { frames: result.frames };
  }
  const file = readPcapFile(bytes);
  // pcapng's interface names and packet flags are kept; a pcap has neither.
  const frames: CapturedFrame[] = file.records.map(frameOfRecord);
  return file.error ? { frames, problem: file.error.message } : { frames };
}
