/**
 * Coalesces frame batches so a fast capture posts to the webview at most once
 * per interval: thousands of packets a second become ~20 postMessage calls,
 * each carrying the batches that waited, as they are (not concatenated: the
 * batches are the store's own arrays and need no further copy here).
 *
 * Messages are at most `maxMessageBytes` (a single bigger batch goes alone,
 * when the receiver has room for it), and none is sent while the receiver has no `room` for it: the batches wait
 * here until `flush()` is called again (the receiver acknowledged some).
 */
export interface ForwarderFlow {
  /** Largest message to send; default 1 MiB. */
  maxMessageBytes?: number;
  /** Bytes the receiver can take now; Infinity when it has nothing outstanding. Default: always Infinity. */
  room?: () => number;
  /**
   * A shorter interval while traffic is light: after a message smaller than
   * `belowBytes`, the next may follow after `intervalMs`. Few frames wait less;
   * a flood still goes in the larger, rarer messages of the normal interval
   * (each message costs the receiver a fixed amount besides its frames).
   */
  light?: { intervalMs: number; belowBytes: number };
}

const DEFAULT_MESSAGE_BYTES = 1024 * 1024;

export class BatchForwarder {
  private pending: Uint8Array[] = [];
  private pendingTotal = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = 0;
  private lastMessageBytes = 0;
  private disposed = false;
  private readonly maxMessageBytes: number;
  private readonly room: () => number;
  private readonly light: ForwarderFlow['light'];

  constructor(
    /** One message: the batches in order, and their total bytes. */
    private readonly send: (batches: readonly Uint8Array[], bytes: number) => void,
    private readonly intervalMs = 50,
    flow: ForwarderFlow = {},
  ) {
    this.maxMessageBytes = flow.maxMessageBytes ?? DEFAULT_MESSAGE_BYTES;
    this.room = flow.room ?? (() => Number.POSITIVE_INFINITY);
    this.light = flow.light;
  }

  /** Bytes waiting to be sent. */
  get pendingBytes(): number {
    return this.pendingTotal;
  }

  push(batch: Uint8Array): void {
    if (this.disposed || batch.length === 0) return;
    this.pending.push(batch);
    this.pendingTotal += batch.length;
    if (this.timer) return;
    const interval = this.light && this.lastMessageBytes < this.light.belowBytes ? this.light.intervalMs : this.intervalMs;
    const wait = Math.max(0, this.lastFlush + interval - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is pending now, as far as the receiver has room (e.g. before a status change that must follow the frames). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0) {
      const room = this.room();
      const limit = Math.min(this.maxMessageBytes, room);
      let count = 0;
      let total = 0;
      for (const part of this.pending) {
        if (total + part.length > limit) break;
        total += part.length;
        count++;
      }
      // A batch bigger than a message still goes, alone, once the receiver has room for all of
      // it (or nothing else is outstanding): a big file's 1 MiB reads make batches just over a
      // message, and waiting for every ack before each one left the receiver idle between them.
      const first = this.pending[0]?.length ?? 0;
      if (count === 0 && (room === Number.POSITIVE_INFINITY || first <= room)) {
        count = 1;
        total = first;
      }
      if (count === 0) return;
      const parts = this.pending.splice(0, count);
      this.pendingTotal -= total;
      this.lastFlush = Date.now();
      this.lastMessageBytes = total;
      this.send(parts, total);
    }
  }

  /** Forgets what is pending (the frames were cleared). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pendingTotal = 0;
  }

  dispose(): void {
    this.discard();
    this.disposed = true;
  }
}
