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
import { frameMicros, type ContainerFrame, type TimelinePacket } from './containerFrame';
import type { CapturedAddresses } from './capturedAddresses';
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

const enum State {
  Pending,
  Final,
  Dropped,
}

/** A row and its matching state in one object (one allocation per sighting). */
interface Entry extends TimelinePacket {
  ts: number;
  ip: number;
  hash: number;
  state: State;
  /** The container an egress copy is addressed to, when addresses are known. */
  receiver: string | undefined;
  /** The container that sent an ingress copy, when addresses are known. */
  sender: string | undefined;
  /** The next pending entry with the same hash (a list per hash, oldest first). */
  next: Entry | undefined;
}

export class PacketDeduplicator {
  private queue: Entry[] = [];
  private head = 0;
  /** Pending entries by hash: the oldest of a list whose entries link to the next. */
  private readonly pendingEgress = new Map<number, Entry>();
  private readonly pendingIngress = new Map<number, Entry>();
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
    const entry: Entry = { frame, delivery: undefined, ts, ip: -1, hash: 0, state: State.Final, receiver: undefined, sender: undefined, next: undefined };
    const ip = ipOffset(frame.data, frame.linkType);
    if (ip >= 0 && !isGroupAddressed(frame.data, ip)) {
      entry.ip = ip;
      if (frame.direction === 'out') this.pushEgress(entry);
      else this.pushIngress(entry);
    }
    if (entry.state !== State.Dropped) this.queue.push(entry);
    this.release(ts);
  }

  /** Releases what can no longer change, given that the stream has reached `nowMicros` (live: the clock). */
  flushOlderThan(nowMicros: number): void {
    this.release(nowMicros);
  }

  /** End of the capture: everything still waiting is final now. */
  flushAll(): void {
    this.release(Infinity);
    this.queue = [];
    this.head = 0;
  }

  /** Rows held back, waiting for a possible pair. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  private pushEgress(entry: Entry): void {
    const frame = entry.frame;
    if (this.addresses) {
      entry.receiver = this.addresses.ownerOf(ipAddressKey(frame.data, entry.ip, 'dst'), entry.ts);
      const sender = this.addresses.ownerOf(ipAddressKey(frame.data, entry.ip, 'src'), entry.ts);
      // Not from this container to another captured one: no second copy will come.
      if (entry.receiver === undefined || entry.receiver === frame.container || sender !== frame.container) return;
    }
    entry.hash = ipPacketHash(frame.data, entry.ip);
    // An arrival stamped a hair earlier than its departure (rule 4).
    const early = this.take(this.pendingIngress, entry, true);
    if (early) {
      early.state = State.Dropped;
      this.pair(entry, early.frame);
      return;
    }
    entry.state = State.Pending;
    append(this.pendingEgress, entry);
  }

  private pushIngress(entry: Entry): void {
    const frame = entry.frame;
    if (this.addresses) {
      entry.sender = this.addresses.ownerOf(ipAddressKey(frame.data, entry.ip, 'src'), entry.ts);
      const receiver = this.addresses.ownerOf(ipAddressKey(frame.data, entry.ip, 'dst'), entry.ts);
      if (entry.sender === undefined || entry.sender === frame.container || receiver !== frame.container) return;
    }
    entry.hash = ipPacketHash(frame.data, entry.ip);
    const sent = this.take(this.pendingEgress, entry, false);
    if (sent) {
      // The arrival joins the departure's row; it is not a row of its own.
      entry.state = State.Dropped;
      this.pair(sent, frame);
      return;
    }
    entry.state = State.Pending;
    append(this.pendingIngress, entry);
  }

  private pair(egress: Entry, arrival: ContainerFrame): void {
    egress.state = State.Final;
    egress.delivery = { state: 'received', sentBy: egress.frame.container, receivedBy: arrival.container, received: arrival };
    this.paired++;
  }

  /**
   * Removes and returns the oldest pending entry that is the same packet as
   * `entry` and may pair with it: an ingress copy for the egress `entry`
   * (`entryIsEgress`), else an egress copy for the ingress `entry`.
   */
  private take(pending: Map<number, Entry>, entry: Entry, entryIsEgress: boolean): Entry | undefined {
    let c = pending.get(entry.hash);
    let previous: Entry | undefined;
    const d = entry.frame.data;
    const container = entry.frame.container;
    while (c) {
      const other = c.frame.container;
      const egress = entryIsEgress ? entry : c;
      const ingress = entryIsEgress ? c : entry;
      const fits =
        other !== container &&
        ingress.ts - egress.ts <= this.window &&
        ingress.ts - egress.ts >= -this.skew &&
        (egress.receiver === undefined || egress.receiver === ingress.frame.container) &&
        (ingress.sender === undefined || ingress.sender === egress.frame.container);
      if (fits && sameIpPacket(c.frame.data, c.ip, d, entry.ip)) {
        unlink(pending, entry.hash, c, previous);
        return c;
      }
      previous = c;
      c = c.next;
    }
    return undefined;
  }

  /** Emits final rows from the head; finalizes waiting rows whose time is up. */
  private release(now: number): void {
    const q = this.queue;
    let h = this.head;
    while (h < q.length) {
      const e = q[h]!;
      if (e.state === State.Pending) {
        const egress = e.frame.direction === 'out';
        if (now - e.ts <= (egress ? this.window : this.skew)) break;
        this.expire(e, egress);
      }
      if (e.state === State.Final) this.emit(e);
      h++;
    }
    // Drop the released prefix now and then, not on every call.
    if (h > 4096 && h * 2 > q.length) {
      this.queue = q.slice(h);
      h = 0;
    }
    this.head = h;
  }

  private expire(e: Entry, egress: boolean): void {
    e.state = State.Final;
    const pending = egress ? this.pendingEgress : this.pendingIngress;
    let c = pending.get(e.hash);
    let previous: Entry | undefined;
    while (c && c !== e) {
      previous = c;
      c = c.next;
    }
    if (c) unlink(pending, e.hash, c, previous);
    if (egress && this.expectArrival && e.receiver !== undefined) {
      e.delivery = { state: 'not-seen-arriving', sentBy: e.frame.container, receivedBy: e.receiver };
    }
  }
}

/** Adds `entry` at the end of its hash's list. */
function append(map: Map<number, Entry>, entry: Entry): void {
  let c = map.get(entry.hash);
  if (!c) {
    map.set(entry.hash, entry);
    return;
  }
  while (c.next) c = c.next;
  c.next = entry;
}

function unlink(map: Map<number, Entry>, hash: number, entry: Entry, previous: Entry | undefined): void {
  if (previous) previous.next = entry.next;
  else if (entry.next) map.set(hash, entry.next);
  else map.delete(hash);
  entry.next = undefined;
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
