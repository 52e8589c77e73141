/**
 * For a file too large to hold (`init.bytesOnDemand`): asks the host for the
 * bytes of the packets the inspector showed without them (rows on screen for
 * their Info, the selected packet for its detail and hex dump), one request at
 * a time, and tells when what features scanned was only part of the packets.
 */
import type { PacketStore } from '../src/core/packetStore';
import { MAX_FRAME_BYTES_REQUEST, type FromWebviewMessage, type ToWebviewMessage } from '../src/protocol/webviewMessages';

export class FrameBytesFetcher {
  private waiting = false;
  private reportedMisses = 0;

  constructor(
    private readonly store: () => PacketStore,
    private readonly post: (message: FromWebviewMessage) => void,
  ) {}

  /** After a render: asks for what the shown rows lacked (nothing while an answer is awaited). */
  requestMissing(): void {
    const store = this.store();
    if (!store.bytesOnDemand || this.waiting) return;
    const numbers = store.takeWanted().slice(0, MAX_FRAME_BYTES_REQUEST);
    if (numbers.length === 0) return;
    this.waiting = true;
    this.post({ type: 'frameBytesRequest', numbers: Uint32Array.from(numbers) });
  }

  /** The host's answer: the bytes go into the store; the caller redraws. */
  received(message: Extract<ToWebviewMessage, { type: 'frameBytes' }>): void {
    this.waiting = false;
    const store = this.store();
    for (const p of message.packets) if (p.bytes) store.putBytes(p.number, p.bytes);
  }

  /** A new store (init): nothing is awaited from the old page's requests that matters. */
  reset(): void {
    this.waiting = false;
    this.reportedMisses = 0;
  }

  /**
   * A one-line notice when something read packets whose bytes were not in memory
   * since the last check (a filter on contents, Follow Stream, conversations):
   * its result covers only the packets in memory, which the user must be told.
   */
  missedNotice(): string | undefined {
    const misses = this.store().missingByteReads;
    if (misses <= this.reportedMisses) return undefined;
    const count = misses - this.reportedMisses;
    this.reportedMisses = misses;
    return `Large file: ${count.toLocaleString('en-US')} packets were left out because their bytes are not in memory; only the packets in memory were searched (tshark -r FILE sees them all).`;
  }
}
