/**
 * The CLI's JSON record for a capture of several containers: the seed's record
 * (seedFormat.ts) plus who captured it and, for a packet between two captured
 * containers, both ends.
 *
 *   container           the container in whose network namespace this record's
 *                       bytes, time, interface and direction were captured (for a
 *                       packet both ends saw: the sender's egress copy)
 *   sent_by, received_by  for a packet from one captured container to another: the
 *                       sending and the receiving container
 *   delivery            "received" (the receiver's copy was seen too, and is not a
 *                       record of its own) or "not-seen-arriving" (it left for a
 *                       captured container and no copy arrived there in time)
 *   received_time, received_interface  when and on which interface of
 *                       `received_by` the arriving copy was captured ("received" only)
 */
import type { PacketSummary } from '../packet';
import { formatSeedText, isoTimeWithMicroseconds, toSeedJsonRecord, type SeedJsonRecord } from '../seedFormat';
import type { TimelinePacket } from './containerFrame';

export interface TimelineJsonRecord extends SeedJsonRecord {
  container: string;
  sent_by?: string;
  received_by?: string;
  delivery?: 'received' | 'not-seen-arriving';
  received_time?: string;
  received_interface?: string;
}

export function toTimelineJsonRecord(packet: TimelinePacket, summary: PacketSummary): TimelineJsonRecord {
  const record: TimelineJsonRecord = { ...toSeedJsonRecord(packet.frame, summary), container: packet.frame.container };
  const d = packet.delivery;
  if (d) {
    record.sent_by = d.sentBy;
    record.received_by = d.receivedBy;
    record.delivery = d.state;
    if (d.state === 'received') {
      record.received_time = isoTimeWithMicroseconds(d.received.tsSec, d.received.tsUsec);
      record.received_interface = d.received.interfaceName;
    }
  }
  return record;
}

/** `[web-1]`, `[web-1 -> db-1]` or `[web-1 -> db-1, not seen arriving]`, then the seed's text. */
export function formatTimelineText(packet: TimelinePacket, summary: PacketSummary): string {
  return timelineTextPrefix(packet) + formatSeedText(packet.frame, summary);
}

/** What a row's seed text follows: `[container] ` or `[sender -> receiver] `. */
export function timelineTextPrefix(packet: TimelinePacket): string {
  const d = packet.delivery;
  const who = !d ? packet.frame.container : `${d.sentBy} -> ${d.receivedBy}${d.state === 'not-seen-arriving' ? ', not seen arriving' : ''}`;
  return `[${who}] `;
}
