/**
 * Which captured container owns an address: what lets the de-duplication rule
 * know, at once, that a packet is addressed to a container nobody captures
 * (nothing to wait for) or to one that is captured (its copy should arrive).
 */
import { addressTextKey } from './ipPacketBytes';

export class CapturedAddresses {
  private readonly owners = new Map<number | string, string>();

  /** Records `address` (as Docker reports it) as `container`'s; ignores what is not an address. */
  add(address: string, container: string): void {
    const key = addressTextKey(address);
    if (key !== undefined) this.owners.set(key, container);
  }

  /** Forgets a container's addresses (it stopped: a new one may get them). */
  removeContainer(container: string): void {
    for (const [key, owner] of this.owners) if (owner === container) this.owners.delete(key);
  }

  ownerOf(key: number | string): string | undefined {
    return this.owners.get(key);
  }

  get size(): number {
    return this.owners.size;
  }
}
