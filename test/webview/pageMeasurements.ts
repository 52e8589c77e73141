/**
 * Figures read from the inspector page, shared by the million-packet webview
 * test and `npm run bench` so both measure the same way.
 */
import type { Page } from 'playwright-core';

export interface ScrollMeasurement {
  /** Time between animation frames while scrolling, ms (one vsync is the floor). */
  median: number;
  p95: number;
  scrollHeight: number;
  scrollTop: number;
  maxScrollTop: number;
}

/** Scrolls the packet list from top to bottom in 120 steps, one per animation frame. */
export function measureScrollFrames(page: Page): Promise<ScrollMeasurement> {
  return page.evaluate(async () => {
    type El = { scrollTop: number; scrollHeight: number; clientHeight: number };
    const g = globalThis as unknown as { document: { querySelector(s: string): El }; requestAnimationFrame(cb: (t: number) => void): void };
    const scroller = g.document.querySelector('.list-scroller');
    const frames: number[] = [];
    let last = 0;
    const steps = 120;
    for (let i = 0; i <= steps; i++) {
      scroller.scrollTop = ((scroller.scrollHeight - scroller.clientHeight) * i) / steps;
      const t = await new Promise<number>((r) => g.requestAnimationFrame(r));
      if (last) frames.push(t - last);
      last = t;
    }
    // Let the last scroll event be handled before anyone reads the rows.
    await new Promise<number>((r) => g.requestAnimationFrame(r));
    await new Promise<number>((r) => g.requestAnimationFrame(r));
    frames.sort((a, b) => a - b);
    return {
      median: frames[Math.floor(frames.length / 2)] ?? 0,
      p95: frames[Math.floor(frames.length * 0.95)] ?? 0,
      scrollHeight: scroller.scrollHeight,
      scrollTop: scroller.scrollTop,
      maxScrollTop: scroller.scrollHeight - scroller.clientHeight,
    };
  });
}

/** JS heap in use after a forced garbage collection, MB. */
export async function heapAfterGcMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6;
}
