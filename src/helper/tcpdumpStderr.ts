/**
 * What tcpdump says on stderr: "listening on" once the interface is open, its
 * counters (at exit, and on SIGUSR1), and errors. Read by the root helper
 * until tcpdump listens, then by the packet reader.
 */
import type { TcpdumpCounts } from './packetSource';

export class TcpdumpStderr {
  private text = '';
  listening = false;
  readonly counts: TcpdumpCounts = {};
  private countsListener?: (counts: TcpdumpCounts) => void;

  /** Everything kept (the tail), for error messages. */
  get diagnostics(): string {
    return this.text.trim();
  }

  /** The last line that is an error, not a statistic. */
  get lastError(): string | undefined {
    const lines = this.text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^listening on|packets? (captured|received by filter|dropped by kernel)/.test(l));
    return lines[lines.length - 1];
  }

  onCounts(listener: (counts: TcpdumpCounts) => void): void {
    this.countsListener = listener;
  }

  push(text: string): void {
    // Keep the tail only: a long capture prints counters again and again.
    this.text = (this.text + text).slice(-8192);
    if (/listening on /.test(text)) this.listening = true;
    let changed = false;
    for (const [, n, what] of text.matchAll(/(\d+) packets? (captured|received by filter|dropped by kernel)/g)) {
      const value = Number(n);
      if (what === 'captured') this.counts.captured = value;
      else if (what === 'received by filter') this.counts.received = value;
      else this.counts.droppedByKernel = value;
      changed = true;
    }
    if (changed) this.countsListener?.(this.counts);
  }
}
