/**
 * Packets per second over the last few seconds, for the toolbar's counter:
 * sampled once a second, so a burst shows at once and fades within the window.
 */
const RATE_WINDOW_MS = 5000;

export class CaptureRate {
  private samples: { time: number; total: number }[] = [];

  /** Called once a second with the packets received so far. */
  sample(now: number, total: number): void {
    this.samples.push({ time: now, total });
    while (this.samples.length > 2 && now - (this.samples[0]?.time ?? now) > RATE_WINDOW_MS) this.samples.shift();
  }

  /** Packets per second; 0 until half a second has been sampled. */
  perSecond(now: number, total: number): number {
    const first = this.samples[0];
    if (!first) return 0;
    const elapsed = (now - first.time) / 1000;
    return elapsed > 0.5 ? (total - first.total) / elapsed : 0;
  }

  /** A new or cleared store: the old counts say nothing about the new ones. */
  reset(): void {
    this.samples = [];
  }
}
