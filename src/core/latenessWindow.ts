/**
 * How long a live merge holds frames. A frame must wait only as long as an
 * earlier frame of another pipeline may still be on its way, and that is how
 * late frames arrive: their arrival time minus their capture time. A fixed
 * window has to assume the worst (a loaded machine) all the time; this one
 * follows the worst lateness seen in this second and the one before, with a
 * margin, between a floor and the old fixed ceiling. A quiet machine so shows
 * a packet within a few milliseconds; a busy one (or a paused reader, whose
 * frames arrive very late) widens the window at once, up to the ceiling.
 */

/** Lateness seen is kept per bucket of this length; the window looks at the current and the previous bucket. */
const BUCKET_MICROS = 1_000_000;

export interface LatenessWindowOptions {
  /** Never shorter than this (covers a pipeline woken a little later than another). */
  minMicros: number;
  /** Never longer than this (what a fixed window used to be). */
  maxMicros: number;
}

export const DEFAULT_LATENESS_WINDOW: LatenessWindowOptions = { minMicros: 5_000, maxMicros: 40_000 };

export class LatenessWindow {
  private bucketStart = Number.NEGATIVE_INFINITY;
  private currentWorst = 0;
  private previousWorst = 0;

  constructor(readonly options: LatenessWindowOptions = DEFAULT_LATENESS_WINDOW) {}

  /** A frame captured at `capturedMicros` arrived at `nowMicros` (same clock: the kernel's wall clock). */
  observe(capturedMicros: number, nowMicros: number): void {
    this.rotate(nowMicros);
    const lateness = nowMicros - capturedMicros;
    if (lateness > this.currentWorst) this.currentWorst = lateness;
  }

  /** The hold for frames now: 1.5 x the worst recent lateness plus 2 ms, within the bounds. */
  windowMicros(nowMicros: number): number {
    this.rotate(nowMicros);
    const worst = Math.max(this.currentWorst, this.previousWorst);
    return Math.min(this.options.maxMicros, Math.max(this.options.minMicros, worst * 1.5 + 2_000));
  }

  private rotate(nowMicros: number): void {
    const start = Math.floor(nowMicros / BUCKET_MICROS) * BUCKET_MICROS;
    if (start === this.bucketStart) return;
    // The bucket just before this one, or nothing when a whole bucket passed unseen.
    this.previousWorst = start - this.bucketStart === BUCKET_MICROS ? this.currentWorst : 0;
    this.currentWorst = 0;
    this.bucketStart = start;
  }
}
