/**
 * Per conversation, in typed columns rather than objects: a capture of a million packets
 * can hold a million conversations (scans, random source ports), and a million small
 * objects cost seconds of garbage collection. Only what every conversation needs lives
 * here; TCP's sequence state is in tcpSequenceAnalysis.ts.
 */
import { grown } from './typedColumns';

export const PROTOCOL_TCP = 0;
export const PROTOCOL_UDP = 1;
/**
 * Past this many conversations the columns grow fourfold, not twofold: each growth writes
 * every column anew, and on a VM a first write to fresh memory (a page fault) costs more
 * than the copy. Pages of the larger arrays that are never written cost nothing.
 */
const LARGE = 1 << 16;

export class ConversationColumns {
  capacity = 0;
  count = 0;
  /** PROTOCOL_TCP or PROTOCOL_UDP. */
  protocol = new Uint8Array(0);
  /** tcp.stream or udp.stream. */
  index = new Int32Array(0);
  /** Interned addresses (the store's address table) and ports of side A and side B. */
  addressA = new Int32Array(0);
  portA = new Int32Array(0);
  addressB = new Int32Array(0);
  portB = new Int32Array(0);
  /** Packet counts fit 32 bits (as packet numbers do); byte counts need more. */
  packetsAtoB = new Uint32Array(0);
  bytesAtoB = new Float64Array(0);
  packetsBtoA = new Uint32Array(0);
  bytesBtoA = new Float64Array(0);
  firstTime = new Float64Array(0);
  lastTime = new Float64Array(0);
  firstPacket = new Float64Array(0);
  lastPacket = new Float64Array(0);
  /** ConversationFlag bits. */
  flags = new Uint8Array(0);

  add(): number {
    if (this.count === this.capacity) this.grow(Math.max(1024, this.capacity * (this.capacity >= LARGE ? 4 : 2)));
    return this.count++;
  }

  /** Each column by name (not by reflection over `this`, which would turn the object into a slow dictionary). */
  private grow(capacity: number): void {
    this.protocol = grown(this.protocol, new Uint8Array(capacity));
    this.index = grown(this.index, new Int32Array(capacity));
    this.addressA = grown(this.addressA, new Int32Array(capacity));
    this.portA = grown(this.portA, new Int32Array(capacity));
    this.addressB = grown(this.addressB, new Int32Array(capacity));
    this.portB = grown(this.portB, new Int32Array(capacity));
    this.packetsAtoB = grown(this.packetsAtoB, new Uint32Array(capacity));
    this.bytesAtoB = grown(this.bytesAtoB, new Float64Array(capacity));
    this.packetsBtoA = grown(this.packetsBtoA, new Uint32Array(capacity));
    this.bytesBtoA = grown(this.bytesBtoA, new Float64Array(capacity));
    this.firstTime = grown(this.firstTime, new Float64Array(capacity));
    this.lastTime = grown(this.lastTime, new Float64Array(capacity));
    this.firstPacket = grown(this.firstPacket, new Float64Array(capacity));
    this.lastPacket = grown(this.lastPacket, new Float64Array(capacity));
    this.flags = grown(this.flags, new Uint8Array(capacity));
    this.capacity = capacity;
  }
}
