/**
 * Per conversation, in typed columns rather than objects: a capture of a million packets
 * can hold a million conversations (scans, random source ports), and a million small
 * objects cost seconds of garbage collection. Only what every conversation needs lives
 * here; TCP's sequence state is in tcpSequenceAnalysis.ts.
 *
 * The columns are cut in segments of a fixed size, added as conversations come: growing
 * never copies, and each page is written once. On a VM the first write to a fresh page
 * (a page fault) costs more than the copy, and a table of a million conversations that
 * grew by copying faulted in its columns about one and a half times.
 */
import { grown, SEGMENT_BITS, segmentBytes, segmentForNext } from './typedColumns';

export { SEGMENT_BITS, SEGMENT_MASK } from './typedColumns';

export const PROTOCOL_TCP = 0;
export const PROTOCOL_UDP = 1;


export class ConversationSegment {
  /** PROTOCOL_TCP or PROTOCOL_UDP. */
  readonly protocol: Uint8Array;
  /** tcp.stream or udp.stream. */
  readonly index: Int32Array;
  /** Interned addresses (the store's address table) and ports of side A and side B (a conversation's ports are never "none"). */
  readonly addressA: Int32Array;
  readonly portA: Uint16Array;
  readonly addressB: Int32Array;
  readonly portB: Uint16Array;
  /** Packet counts fit 32 bits (as packet numbers do); byte counts need more. */
  readonly packetsAtoB: Uint32Array;
  readonly bytesAtoB: Float64Array;
  readonly packetsBtoA: Uint32Array;
  readonly bytesBtoA: Float64Array;
  readonly firstTime: Float64Array;
  readonly lastTime: Float64Array;
  /** Packet numbers, 32 bits as the per-packet stream column's are. */
  readonly firstPacket: Uint32Array;
  readonly lastPacket: Uint32Array;
  /** ConversationFlag bits. */
  readonly flags: Uint8Array;

  /** Empty columns of `capacity` entries, or `from`'s values at the start of larger ones. */
  constructor(readonly capacity: number, from?: ConversationSegment) {
    // Each column by name (not by reflection over `this`, which would turn the object into a slow dictionary).
    this.protocol = grown(from?.protocol, new Uint8Array(capacity));
    this.index = grown(from?.index, new Int32Array(capacity));
    this.addressA = grown(from?.addressA, new Int32Array(capacity));
    this.portA = grown(from?.portA, new Uint16Array(capacity));
    this.addressB = grown(from?.addressB, new Int32Array(capacity));
    this.portB = grown(from?.portB, new Uint16Array(capacity));
    this.packetsAtoB = grown(from?.packetsAtoB, new Uint32Array(capacity));
    this.bytesAtoB = grown(from?.bytesAtoB, new Float64Array(capacity));
    this.packetsBtoA = grown(from?.packetsBtoA, new Uint32Array(capacity));
    this.bytesBtoA = grown(from?.bytesBtoA, new Float64Array(capacity));
    this.firstTime = grown(from?.firstTime, new Float64Array(capacity));
    this.lastTime = grown(from?.lastTime, new Float64Array(capacity));
    this.firstPacket = grown(from?.firstPacket, new Uint32Array(capacity));
    this.lastPacket = grown(from?.lastPacket, new Uint32Array(capacity));
    this.flags = grown(from?.flags, new Uint8Array(capacity));
  }
}

function newConversationSegment(capacity: number, from?: ConversationSegment): ConversationSegment {
  return new ConversationSegment(capacity, from);
}

export class ConversationColumns {
  count = 0;
  readonly segments: ConversationSegment[] = [];

  /** The segment holding conversation g (index it with `g & SEGMENT_MASK`). */
  segment(g: number): ConversationSegment {
    const segment = this.segments[g >>> SEGMENT_BITS];
    if (!segment) throw new RangeError(`no conversation ${g} (${this.count} held)`);
    return segment;
  }

  /** A new conversation's number; its columns hold zeros or an earlier conversation's values until written. */
  add(): number {
    segmentForNext(this.segments, this.count, newConversationSegment);
    return this.count++;
  }

  get byteLength(): number {
    return segmentBytes(this.segments);
  }

  /** Forgets every conversation but keeps the memory they used. */
  clear(): void {
    this.count = 0;
  }
}
