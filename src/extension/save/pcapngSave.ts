/**
 * Save as pcapng from a capture tab: the format that keeps what pcap cannot,
 * each packet's interface and direction, and for a capture of several
 * containers the container it was captured in. A row of such a capture is
 * stored under `<who>/<interface>` (core/timeline/timelineInterface.ts); the
 * file names its interface `web-1/eth0` and comments the packet `container
 * web-1`, as the CLI's `-w x.pcapng` does. A packet both ends saw is one row
 * holding the sender's copy, so its container is the sender.
 */
import { readFrameBatch } from '../../core/frameBatch';
import type { CapturedFrame } from '../../core/packet';
import { encodePcapngFile, type PcapngWritableFrame } from '../../core/pcap/pcapngWriter';
import { splitTimelineInterface } from '../../core/timeline/timelineInterface';
import { readSpool } from '../spool/spoolReader';

export const PCAPNG_NAME = /\.pcapng$/i;

/** The frame as the pcapng writer takes it: the container split off the row's interface name. */
export function pcapngFrame(frame: CapturedFrame): PcapngWritableFrame {
  const { container, iface } = splitTimelineInterface(frame.interfaceName);
  if (container === undefined) return frame;
  return { ...frame, interfaceName: iface, container: container.split(' -> ')[0] ?? container };
}

export function encodePcapngCapture(frames: readonly CapturedFrame[]): Uint8Array {
  return encodePcapngFile(frames.map(pcapngFrame));
}

/** Every packet of a spool (also those dropped from memory), for a pcapng file. */
export async function spoolFrames(path: string): Promise<CapturedFrame[]> {
  const frames: CapturedFrame[] = [];
  const result = await readSpool(path, (batch) => frames.push(...readFrameBatch(batch)));
  if (result.problem && frames.length === 0) throw new Error(result.problem);
  return frames;
}
