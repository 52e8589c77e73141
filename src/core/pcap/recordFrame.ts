/**
 * A file's record as the inspector's frame. Named field by field, not spread:
 * a record also carries what only the reading needs (a pcapng packet comment,
 * where the bytes lay in the file), which must not ride along into frames,
 * their messages and their comparisons.
 */
import type { CapturedFrame } from '../packet';
import type { PcapRecord } from './pcapReader';

/** A pcap says neither interface nor direction: the empty interface name tells the inspector to leave Dir and Interface blank. */
export function frameOfRecord(r: PcapRecord): CapturedFrame {
  return { tsSec: r.tsSec, tsUsec: r.tsUsec, originalLength: r.originalLength, data: r.data, linkType: r.linkType, interfaceName: r.interfaceName ?? '', direction: r.direction ?? 'in' };
}
