/**
 * Which captured container owns an address: what lets the de-duplication rule
 * know, at once, that a packet is addressed to a container nobody captures
 * (nothing to wait for) or to one that is captured (its copy should arrive).
 */
import { addressTextKey } from './ipPacketBytes';
import { DEFAULT_SKEW_MICROS } from './packetDeduplicator';

export class CapturedAddresses {
  private readonly owners = new Map<number | string, { container: string; since: number; until: number }>();

  /**
   * Records `address` (as Docker reports it) as `container`'s, captured from
   * `sinceMicros` on (capture time): before its capture ran, a packet to it
   * could not be seen arriving, and one from it could not be seen leaving.
   * Ignores what is not an address.
   */
  add(address: string, container: string, sinceMicros = 0): void {
    const key = addressTextKey(address);
    if (key !== undefined) this.owners.set(key, { container, since: sinceMicros, until: Infinity });
  }

  /**
   * A container's capture ended: its addresses count as captured up to
   * `untilMicros` (its last frame), not after. Its frames still on their way
   * through the timeline keep pairing; later packets to it make no claim.
   */
  retire(container: string, untilMicros: number): void {
    for (const owner of this.owners.values()) if (owner.container === container) owner.until = untilMicros;
  }

  /**
   * `container`'s capture delivered its first frame, stamped `firstFrameMicros`: its
   * addresses count as captured from then on, less the skew (two tcpdumps, one clock).
   */
  captureStarted(container: string, addresses: Iterable<string>, firstFrameMicros: number): void {
    for (const a of addresses) this.add(a, container, firstFrameMicros - DEFAULT_SKEW_MICROS);
  }

  /**
   * `container`'s capture ended after its last frame, stamped `lastFrameMicros`: its
   * addresses count up to then, plus the skew (its arrivals may be stamped a hair later
   * than their departures).
   */
  captureEnded(container: string, lastFrameMicros: number): void {
    this.retire(container, lastFrameMicros + DEFAULT_SKEW_MICROS);
  }

  /** The container that owned and was captured at `key` at capture time `atMicros`. */
  ownerOf(key: number | string, atMicros: number): string | undefined {
    const owner = this.owners.get(key);
    return owner && atMicros >= owner.since && atMicros <= owner.until ? owner.container : undefined;
  }

  get size(): number {
    return this.owners.size;
  }
}
