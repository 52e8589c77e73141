/**
 * When to offer "Container X is running again. Capture again?": a capture
 * ended because its container stopped, and later a container with the same
 * name runs. Pure decision logic (no `vscode`, no timers); the extension feeds
 * it capture ends and container listings and shows what it returns.
 *
 * "Runs again" must not be read from a listing that predates the stop (the
 * watcher may publish a list it fetched a moment before the container died).
 * A running container counts when its id differs (re-created), when this
 * name was seen not running since the capture ended, or when the listing was
 * started after the capture ended (a `docker restart` can be too quick for
 * any listing to see the container down, and keeps the id).
 */
import type { CaptureDirection } from '../../protocol/captureRequest';

/** The engine's reason for a capture whose container went away (engine/captureSession.ts). */
export const CONTAINER_STOPPED_REASON = 'container stopped';

export interface EndedCapture {
  containerId: string;
  containerName: string;
  direction: CaptureDirection;
  filter?: string;
  /** When it ended (ms since the epoch). */
  endedAt: number;
}

export interface ListedContainer {
  id: string;
  name: string;
  state: string;
}

export interface ReattachOffer {
  capture: EndedCapture;
  /** The running container to capture now. */
  containerId: string;
}

interface Waiting {
  capture: EndedCapture;
  seenDown: boolean;
}

export class ReattachOffers {
  private waiting: Waiting[] = [];

  /** A capture ended; only a stopped container leads to an offer. */
  captureEnded(capture: EndedCapture, reason: string): void {
    if (reason !== CONTAINER_STOPPED_REASON) return;
    // Two tabs of the same container with the same settings would ask twice for the same thing.
    this.waiting = this.waiting.filter((w) => !sameRequest(w.capture, capture));
    this.waiting.push({ capture, seenDown: false });
  }

  /**
   * A new container listing, fetched starting at `listedAt`. `capturing` holds
   * the names of containers being captured now: they need no offer. Returns
   * the offers to show; each is made once.
   */
  containersListed(containers: readonly ListedContainer[], listedAt: number, capturing: ReadonlySet<string>): ReattachOffer[] {
    const offers: ReattachOffer[] = [];
    this.waiting = this.waiting.filter((w) => {
      const running = containers.find((c) => c.name === w.capture.containerName && c.state === 'running');
      if (!running) {
        w.seenDown = true;
        return true;
      }
      if (capturing.has(w.capture.containerName)) return false;
      if (w.seenDown || running.id !== w.capture.containerId || listedAt > w.capture.endedAt) {
        offers.push({ capture: w.capture, containerId: running.id });
        return false;
      }
      return true;
    });
    return offers;
  }

  /** Names still waiting for their container (for tests and logs). */
  get pending(): string[] {
    return this.waiting.map((w) => w.capture.containerName);
  }
}

function sameRequest(a: EndedCapture, b: EndedCapture): boolean {
  return a.containerName === b.containerName && a.direction === b.direction && (a.filter ?? '') === (b.filter ?? '');
}
