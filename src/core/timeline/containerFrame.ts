/**
 * Frames of a capture of several containers at once: each frame knows in whose
 * network namespace it was captured, and the merged, de-duplicated timeline
 * says, for a packet that went from one captured container to another, who
 * sent it and who received it.
 */
import type { CapturedFrame } from '../packet';

/** A frame plus the container (name) in whose network namespace it was captured. */
export interface ContainerFrame extends CapturedFrame {
  container: string;
}

/**
 * What became of a packet sent from one captured container to another.
 * `received`: both copies were seen (the sender's egress and the receiver's ingress);
 * `not-seen-arriving`: it left the sender, addressed to a captured container, and no
 * copy arrived there within the matching window (a real finding: dropped, filtered,
 * or the receiver's capture lost it).
 */
export type Delivery =
  | { state: 'received'; sentBy: string; receivedBy: string; received: ContainerFrame }
  | { state: 'not-seen-arriving'; sentBy: string; receivedBy: string };

/** One row of the merged timeline. */
export interface TimelinePacket {
  /** The first sighting: for a packet both ends saw, the sender's egress copy. */
  frame: ContainerFrame;
  /** Set only for a packet from one captured container to another. */
  delivery?: Delivery;
}

export function frameMicros(f: CapturedFrame): number {
  return f.tsSec * 1e6 + f.tsUsec;
}
