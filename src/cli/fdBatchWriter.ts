/**
 * Gathers a capture file's blocks and writes them to an open descriptor in one
 * writev per 256 KiB: a write per packet would cap `-w` at the rate of syscalls.
 * The descriptor is opened elsewhere (openCaptureFile, or the process that
 * opened it as root); this only writes to it and closes it.
 */
import { closeSync, writevSync } from 'node:fs';

const FLUSH_BYTES = 256 * 1024;

export class FdBatchWriter {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly fd: number) {}

  /** Queues bytes (kept until written: never reuse them), writing once enough is queued. */
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    if (this.buffered > FLUSH_BYTES) this.flush();
  }

  flush(): void {
    // writevSync writes every buffer to a regular file (libuv loops over partial writes).
    if (this.chunks.length > 0) writevSync(this.fd, this.chunks);
    this.chunks = [];
    this.buffered = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
