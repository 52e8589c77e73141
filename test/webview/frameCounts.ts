/**
 * Presented and dropped frames, read from a Chromium trace (pure: the events
 * in, the counts out). requestAnimationFrame cannot tell a dropped frame: it
 * runs on the main thread, which is what is late. The compositor knows: each
 * tick of its BeginFrame clock (one per vsync) that had an update to show
 * ends as presented, partially presented (the compositor drew without the
 * main thread's newest content, e.g. a scroll moved but the rows are stale) or
 * dropped (nothing drawn). These are the states DevTools' Performance panel
 * shows per frame and Chrome's own smoothness metric counts: the
 * `disabled-by-default-devtools.timeline.frame` events BeginFrame (every tick
 * that wanted a frame, with its sequence number), DroppedFrame (with
 * `hasPartialUpdate`) and DrawFrame.
 */

export interface TraceEvent {
  name: string;
  cat?: string;
  ph?: string;
  ts: number;
  pid?: number;
  tid?: number;
  args?: Record<string, unknown>;
}

export interface FrameCounts {
  /** Ticks that wanted a frame: drawn, partly drawn or dropped (idle ticks, with nothing to update, are not frames). */
  frames: number;
  /** Frames drawn with everything the page had for them. */
  presented: number;
  /** Drawn by the compositor alone: scrolled, but without the main thread's update of that tick. */
  partial: number;
  /** Nothing drawn at that tick. */
  dropped: number;
  /** dropped / frames, %. */
  droppedPercent: number;
  /** Partial and dropped frames together, %: what a user sees as not smooth. */
  notFullyPresentedPercent: number;
  /** The clock's period (median tick spacing), ms. */
  vsyncMs: number;
  /**
   * How long each drawn frame stayed on screen before the next one (fully or
   * partially presented), in ms, as multiples of the vsync: a frame followed by
   * one dropped tick stayed 2 vsyncs.
   */
  p95FrameMs: number;
  worstFrameMs: number;
  /**
   * The same, counting a partial frame as no new frame: how long the page's
   * own content (the rows) stayed unchanged while it had an update coming.
   */
  p95ContentFrameMs: number;
  worstContentFrameMs: number;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** The layer tree of the page's main frame: the one with most BeginFrames (the browser's own UI has one too in headed mode). */
function mainLayerTree(begins: TraceEvent[]): number | undefined {
  const counts = new Map<number, number>();
  for (const e of begins) {
    const id = num(e.args?.layerTreeId);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let best: number | undefined;
  let most = -1;
  for (const [id, n] of counts) if (n > most) [best, most] = [id, n];
  return best;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
}

/** Counts the frames of the trace's main layer tree between `fromUs` and `toUs` (trace clock, µs). */
export function countFrames(events: TraceEvent[], fromUs = -Infinity, toUs = Infinity): FrameCounts {
  const inWindow = (e: TraceEvent): boolean => e.ts >= fromUs && e.ts <= toUs;
  const allBegins = events.filter((e) => e.name === 'BeginFrame' && num(e.args?.frameSeqId) !== undefined);
  const tree = mainLayerTree(allBegins);
  const ofTree = (e: TraceEvent): boolean => tree === undefined || num(e.args?.layerTreeId) === undefined || num(e.args?.layerTreeId) === tree;
  const begins = allBegins.filter((e) => ofTree(e) && inWindow(e)).sort((a, b) => a.ts - b.ts);
  const seqs = new Map<number, number>();
  for (const e of begins) seqs.set(num(e.args?.frameSeqId) ?? 0, e.ts);
  const dropped = new Set<number>();
  const partial = new Set<number>();
  const drawn = new Set<number>();
  for (const e of events) {
    if ((e.name !== 'DroppedFrame' && e.name !== 'DrawFrame') || !ofTree(e)) continue;
    const seq = num(e.args?.frameSeqId);
    if (seq === undefined || !seqs.has(seq)) continue;
    if (e.name === 'DrawFrame') drawn.add(seq);
    else if (e.args?.hasPartialUpdate === true) partial.add(seq);
    else dropped.add(seq);
  }
  for (const seq of partial) dropped.delete(seq);
  // A tick with nothing to update (no draw, nothing dropped) is idle: no frame was wanted.
  for (const seq of [...seqs.keys()]) if (!drawn.has(seq) && !dropped.has(seq) && !partial.has(seq)) seqs.delete(seq);
  const order = [...seqs.keys()].sort((a, b) => a - b);
  // The clock's period from consecutive ticks (idle ones included: the clock runs on).
  const spacing = begins.slice(1).map((e, i) => e.ts - (begins[i] as TraceEvent).ts).filter((d) => d > 0).sort((a, b) => a - b);
  const vsyncMs = percentile(spacing, 0.5) / 1000 || 1000 / 60;
  // Each drawn frame stays on screen one vsync, plus one per missed tick after it.
  const onScreen = (missed: (seq: number) => boolean): number[] => {
    const shown: number[] = [];
    for (const seq of order) {
      if (!missed(seq)) shown.push(vsyncMs);
      else if (shown.length > 0) shown[shown.length - 1] = (shown[shown.length - 1] ?? 0) + vsyncMs;
    }
    return shown.sort((a, b) => a - b);
  };
  const shown = onScreen((seq) => dropped.has(seq));
  const content = onScreen((seq) => dropped.has(seq) || partial.has(seq));
  const frames = order.length;
  return {
    frames,
    presented: frames - dropped.size - partial.size,
    partial: partial.size,
    dropped: dropped.size,
    droppedPercent: frames === 0 ? 0 : (dropped.size / frames) * 100,
    notFullyPresentedPercent: frames === 0 ? 0 : ((dropped.size + partial.size) / frames) * 100,
    vsyncMs,
    p95FrameMs: percentile(shown, 0.95),
    worstFrameMs: shown[shown.length - 1] ?? 0,
    p95ContentFrameMs: percentile(content, 0.95),
    worstContentFrameMs: content[content.length - 1] ?? 0,
  };
}
