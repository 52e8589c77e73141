/**
 * What tcpdump says on stderr, read the same way whether it runs here or in a
 * helper container: "listening on ...", its counters (printed on exit and on
 * SIGUSR1), and everything else, which is an error or a warning.
 */
import type { TcpdumpCounts } from '../../helper/packetSource';

const COUNTER = /(\d+) packets? (captured|received by filter|dropped by kernel)/g;

export class TcpdumpMessages {
  private text = '';
  listening = false;
  readonly counts: TcpdumpCounts = {};

  /** Takes more stderr text; true when the counters changed. */
  push(chunk: string): boolean {
    // Keep the tail only: a long capture prints counters again and again.
    this.text = (this.text + chunk).slice(-8192);
    if (/listening on /.test(chunk)) this.listening = true;
    let changed = false;
    for (const [, n, what] of chunk.matchAll(COUNTER)) {
      const value = Number(n);
      if (what === 'captured') this.counts.captured = value;
      else if (what === 'received by filter') this.counts.received = value;
      else this.counts.droppedByKernel = value;
      changed = true;
    }
    return changed;
  }

  /** The last line that is not a statistic, without tcpdump's "tcpdump: " prefix. */
  get lastError(): string | undefined {
    const lines = this.text
      .split('\n')
      .map((l) => l.trim().replace(/^tcpdump: /, ''))
      .filter((l) => l && !/^listening on|packets? (captured|received by filter|dropped by kernel)/.test(l) && !/^WARNING: /.test(l));
    return lines[lines.length - 1];
  }
}
