/**
 * Each packet once. A packet from one captured container to another is
 * captured twice: leaving the sender (its egress, direction `out`) and
 * arriving at the receiver (its ingress, `in`). The timeline shows it once,
 * as the sender's copy with a `received` delivery naming both ends; a packet
 * that left for a captured container and never arrived stays, marked
 * `not-seen-arriving`.
 *
 * The matching rule. An egress copy E (captured in container A) and an
 * ingress copy I (captured in container B) are the same packet when:
 *   1. A and B differ (loopback traffic inside one container is not paired);
 *   2. both carry an IPv4 or IPv6 packet, unicast (multicast and broadcast
 *      reach several receivers: every copy stays its own row);
 *   3. the IP packets are equal byte for byte (ipPacketBytes.ts), except the
 *      IPv4 TTL and header checksum, the IPv6 hop limit and the TCP/UDP
 *      checksum. So addresses, protocol, ports, IPv4 ID, TCP sequence and
 *      acknowledgement numbers, TCP options (timestamps) and the payload
 *      must all agree; the link layer is ignored;
 *   4. I was captured at most `windowMicros` (250 ms) after E, or at most
 *      `skewMicros` (2 ms) before it (one kernel clock, but two tcpdumps
 *      with microsecond stamps may tie or order two copies either way);
 *   5. when the captured containers' addresses are known: the destination of
 *      E is B's address and the source is A's.
 * A retransmission is a new packet: Linux gives it a new IPv4 ID and a new TCP
 * timestamp, so it matches only its own arrival. Copies that are identical in
 * every compared byte (a UDP datagram sent twice from an unconnected socket,
 * IPv4 ID 0) are paired first-sent with first-arrived, each copy at most once,
 * so the count is right even then.
 *
 * Output keeps time order: a row is released when it is final (paired, or its
 * window has passed, or nothing can pair it), so a live timeline lags by the
 * window only behind a packet still waiting for its arrival.
 */
import { frameMicros, type ContainerFrame, type Delivery, type TimelinePacket } from './containerFrame';
import type { CapturedAddresses } from './capturedAddresses';
import { HeldSightings } from './heldSightings';
import { ipAddressKey, ipOffset, ipPacketHash, sameIpPacket } from './ipPacketBytes';

export interface DeduplicationOptions {
  /** How long after its egress copy the ingress copy may be stamped, in microseconds. */
  windowMicros?: number;
  /** How much earlier than its egress copy an ingress copy may be stamped, in microseconds. */
  skewMicros?: number;
  /**
   * The captured containers' addresses. With them, a packet to or from an
   * address no captured container owns is final at once, and an egress packet
   * to a captured container's address that never arrives is `not-seen-arriving`.
   */
  addresses?: CapturedAddresses;
  /** false when only one direction is captured: no arrival can be seen, none is missed. */
  expectArrival?: boolean;
}

export const DEFAULT_WINDOW_MICROS = 250_000;
export const DEFAULT_SKEW_MICROS = 2_000;

export class PacketDeduplicator {
  /** Every sighting not yet released, in time order (heldSightings.ts: no object per sighting). */
  private readonly held = new HeldSightings();
  private readonly window: number;
  private readonly skew: number;
  private readonly addresses: CapturedAddresses | undefined;
  private readonly expectArrival: boolean;
  /** Packets shown once instead of twice, so far. */
  paired = 0;

  constructor(
    private readonly emit: (packet: TimelinePacket) => void,
    options: DeduplicationOptions = {},
  ) {
    this.window = options.windowMicros ?? DEFAULT_WINDOW_MICROS;
    this.skew = options.skewMicros ?? DEFAULT_SKEW_MICROS;
    this.addresses = options.addresses;
    this.expectArrival = options.expectArrival ?? true;
  }

  /** Frames in time order (a merged timeline); rows come out through `emit`, also in time order. */
  push(frame: ContainerFrame): void {
    const ts = frameMicros(frame);
    const data = frame.data;
    const egress = frame.direction === 'out';
    const ip = ipOffset(data, frame.linkType);
    if (ip < 0 || isGroupAddressed(data, ip)) this.held.addRow(frame, ts, egress, undefined, undefined);
    else if (egress) this.pushEgress(frame, ts, ip);
    else this.pushIngress(frame, ts, ip);
    this.release(ts);
  }

  /** Releases what can no longer change, given that the stream has reached `nowMicros` (live: the clock). */
  flushOlderThan(nowMicros: number): void {
    this.release(nowMicros);
  }

  /** End of the capture: everything still waiting is final now. */
  flushAll(): void {
    this.release(Infinity);
  }

  /** Rows held back, waiting for a possible pair. */
  get waiting(): number {
    return this.held.count;
  }

  private pushEgress(frame: ContainerFrame, ts: number, ip: number): void {
    let receiver: string | undefined;
    if (this.addresses) {
      receiver = this.addresses.ownerOf(ipAddressKey(frame.data, ip, 'dst'), ts);
      const sender = this.addresses.ownerOf(ipAddressKey(frame.data, ip, 'src'), ts);
      // Not from this container to another captured one: no second copy will come.
      if (receiver === undefined || receiver === frame.container || sender !== frame.container) {
        this.held.addRow(frame, ts, true, receiver, undefined);
        return;
      }
    }
    const hash = ipPacketHash(frame.data, ip) | 0;
    // An arrival stamped a hair earlier than its departure (rule 4).
    const early = this.take(hash, frame, ts, ip, true, receiver);
    if (early >= 0) {
      const held = this.held;
      held.drop(early);
      this.paired++;
      held.addRow(frame, ts, true, receiver, held.frames[early]);
      return;
    }
    this.held.addPending(frame, ts, ip, hash, true, receiver);
  }

  private pushIngress(frame: ContainerFrame, ts: number, ip: number): void {
    let sender: string | undefined;
    if (this.addresses) {
      sender = this.addresses.ownerOf(ipAddressKey(frame.data, ip, 'src'), ts);
      const receiver = this.addresses.ownerOf(ipAddressKey(frame.data, ip, 'dst'), ts);
      if (sender === undefined || sender === frame.container || receiver !== frame.container) {
        this.held.addRow(frame, ts, false, sender, undefined);
        return;
      }
    }
    const hash = ipPacketHash(frame.data, ip) | 0;
    const sent = this.take(hash, frame, ts, ip, false, sender);
    if (sent >= 0) {
      // The arrival joins the departure's row; it is not a row of its own.
      this.held.pair(sent, frame);
      this.paired++;
      return;
    }
    this.held.addPending(frame, ts, ip, hash, false, sender);
  }

  /**
   * Takes off its list and returns the oldest pending sighting that is the same
   * packet as the new one and may pair with it: an ingress copy for a new egress
   * copy (`isEgress`), else an egress copy for a new ingress copy. `peer`: the
   * new copy's receiver (egress) or sender (ingress), when addresses are known.
   * Returns its slot, or -1.
   */
  private take(hash: number, frame: ContainerFrame, ts: number, ip: number, isEgress: boolean, peer: string | undefined): number {
    const held = this.held;
    const frames = held.frames;
    const hashes = held.hashes;
    const micros = held.micros;
    const next = held.next;
    const container = frame.container;
    for (let c = held.firstPending(hash, !isEgress); c >= 0; c = next[c]!) {
      if (hashes[c] !== hash) continue;
      const other = frames[c]!;
      if (other.container === container) continue;
      // The arrival's time less the departure's.
      const late = isEgress ? micros[c]! - ts : ts - micros[c]!;
      if (late > this.window || late < -this.skew) continue;
      const otherPeer = held.peers[c];
      const receiver = isEgress ? peer : otherPeer;
      const sender = isEgress ? otherPeer : peer;
      const receivedBy = isEgress ? other.container : container;
      const sentBy = isEgress ? container : other.container;
      if (receiver !== undefined && receiver !== receivedBy) continue;
      if (sender !== undefined && sender !== sentBy) continue;
      if (sameIpPacket(other.data, held.ipOffsets[c]!, frame.data, ip)) {
        held.unlink(c);
        return c;
      }
    }
    return -1;
  }

  /** Emits final rows from the oldest on; finalizes waiting rows whose time is up. */
  private release(now: number): void {
    const held = this.held;
    while (held.count > 0) {
      const slot = held.head;
      if (held.isPending(slot)) {
        const egress = held.egress[slot] === 1;
        if (now - held.micros[slot]! <= (egress ? this.window : this.skew)) break;
        held.expire(slot, egress && this.expectArrival && held.peers[slot] !== undefined);
      }
      const dropped = held.isDropped(slot);
      const notSeenArriving = held.isNotSeenArriving(slot);
      const frame = held.frames[slot]!;
      const arrival = held.arrivals[slot];
      const peer = held.peers[slot];
      held.removeOldest();
      if (dropped) continue;
      let delivery: Delivery | undefined;
      if (arrival) delivery = { state: 'received', sentBy: frame.container, receivedBy: arrival.container, received: arrival };
      else if (notSeenArriving) delivery = { state: 'not-seen-arriving', sentBy: frame.container, receivedBy: peer! };
      this.emit({ frame, delivery });
    }
  }
}

/** IPv4 multicast or limited broadcast, IPv6 multicast: more than one receiver. */
function isGroupAddressed(d: Uint8Array, ip: number): boolean {
  if (d[ip]! >> 4 === 4) {
    const first = d[ip + 16]!;
    return first >= 224;
  }
  return d[ip + 24] === 0xff;
}

/** Merges nothing, only pairs: the whole timeline of frames already in time order, de-duplicated. */
export function deduplicateTimeline(frames: Iterable<ContainerFrame>, options?: DeduplicationOptions): TimelinePacket[] {
  const out: TimelinePacket[] = [];
  const dedup = new PacketDeduplicator((p) => out.push(p), options);
  for (const f of frames) dedup.push(f);
  dedup.flushAll();
  return out;
}
