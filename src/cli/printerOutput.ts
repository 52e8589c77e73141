/**
 * stdout as the CLI's printers write to it: bytes or text, with the stream's
 * backpressure made visible. Node queues without limit whatever is written to
 * a pipe nobody reads (`| sleep 60`, a slow `| less`), so a printer that did not
 * wait would hold the whole capture in memory; callers check `full` after a
 * batch and stop reading their input until `drained()`.
 */
import type { Writable } from 'node:stream';

export class PrinterOutput {
  private broken = false;
  private readonly waiting: (() => void)[] = [];

  /** `onClosed` runs once when the reader goes away (`| head`: EPIPE) or the stream fails. */
  constructor(private readonly stream: Writable, onClosed: () => void) {
    stream.on('error', () => {
      if (this.broken) return;
      this.broken = true;
      for (const wake of this.waiting.splice(0)) wake();
      onClosed();
    });
  }

  /** Queues a chunk (the stream keeps it: never reuse a written buffer). Dropped once closed. */
  write(chunk: Uint8Array | string): void {
    if (!this.broken) this.stream.write(chunk);
  }

  /** The reader went away: nothing more will be written, so there is no point in producing it. */
  get closed(): boolean {
    return this.broken;
  }

  /** The stream holds more than its high-water mark: stop producing until `drained()`. */
  get full(): boolean {
    return !this.broken && this.stream.writableNeedDrain;
  }

  /** Resolves once the stream can take more (at once when it can, or when it is closed). */
  drained(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.stream.off('drain', wake);
        const k = this.waiting.indexOf(wake);
        if (k >= 0) this.waiting.splice(k, 1);
        resolve();
      };
      this.waiting.push(wake);
      this.stream.once('drain', wake);
    });
  }
}

/** The process's stdout, as above. */
export function stdoutOutput(onClosed: () => void): PrinterOutput {
  return new PrinterOutput(process.stdout, onClosed);
}
