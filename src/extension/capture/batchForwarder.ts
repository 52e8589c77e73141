/**
 * Coalesces frame batches so a fast capture posts to the webview at most once
 * per interval: thousands of packets a second become ~20 postMessage calls,
 * each carrying one concatenated frameBatch (records concatenate cleanly).
 */
export class BatchForwarder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = 0;
  private disposed = false;

  constructor(
    private readonly send: (batch: Uint8Array) => void,
    private readonly intervalMs = 50,
  ) {}

  push(batch: Uint8Array): void {
    if (this.disposed || batch.length === 0) return;
    this.pending.push(batch);
    this.pendingBytes += batch.length;
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is pending now (e.g. before a status change that must follow the frames). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const parts = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlush = Date.now();
    this.send(parts.length === 1 && parts[0] ? parts[0] : concat(parts, total));
  }

  /** Forgets what is pending (the frames were cleared). */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }

  dispose(): void {
    this.discard();
    this.disposed = true;
  }
}

export function concat(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
