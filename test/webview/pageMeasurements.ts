/**
 * Figures read from the inspector page, shared by the million-packet webview
 * test and `npm run bench` so both measure the same way.
 */
import type { CDPSession, Frame, Page } from 'playwright-core';

export interface ScrollMeasurement {
  /** Time between animation frames while scrolling, ms (one vsync is the floor). */
  median: number;
  p95: number;
  scrollHeight: number;
  scrollTop: number;
  maxScrollTop: number;
}

/** Scrolls the packet list from top to bottom in 120 steps, one per animation frame. */
export function measureScrollFrames(page: Page | Frame): Promise<ScrollMeasurement> {
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
export async function heapAfterGcMb(page: Page | Frame): Promise<number> {
  const cdp = await cdpSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6;
}

/** A protocol session with a page, or with a frame that runs in a process of its own (a cross-origin iframe). */
export function cdpSession(target: Page | Frame): Promise<CDPSession> {
  return 'mainFrame' in target ? target.context().newCDPSession(target) : target.page().context().newCDPSession(target);
}

/** Waits until the page has shown `n` more animation frames. */
async function frames(page: Page, n: number): Promise<void> {
  await page.evaluate(async (count) => {
    const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): void };
    for (let i = 0; i < count; i++) await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
  }, n);
}

/** Calls `step(i)` at a steady pace (`perSecond`) for `seconds`, as a hand on a wheel or a held key would. */
async function paced(perSecond: number, seconds: number, step: (i: number) => Promise<void>): Promise<number> {
  const started = Date.now();
  const count = Math.round(perSecond * seconds);
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await step(i);
  }
  return count;
}

/** Puts the list's scrollbar at `fraction` of its range (0 top, 1 bottom) and lets it settle. */
export async function scrollListTo(page: Page, fraction: number): Promise<void> {
  await page.evaluate((f) => {
    type El = { scrollTop: number; scrollHeight: number; clientHeight: number };
    const scroller = (globalThis as unknown as { document: { querySelector(s: string): El } }).document.querySelector('.list-scroller');
    scroller.scrollTop = (scroller.scrollHeight - scroller.clientHeight) * f;
  }, fraction);
  await frames(page, 3);
}

/**
 * Mouse-wheel scrolling over the list: `perSecond` notches of `notchPx` for
 * `seconds` (20 notches/s of 120 px is a quick, steady flick, ~110 rows/s).
 * Returns the number of wheel events sent.
 */
export async function wheelScroll(page: Page, options: { seconds: number; perSecond: number; notchPx: number }): Promise<number> {
  const box = await page.locator('.list-scroller').boundingBox();
  if (!box) throw new Error('no packet list on the page');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const sent = await paced(options.perSecond, options.seconds, () => page.mouse.wheel(0, options.notchPx));
  // The last notch's smooth scroll runs on for a few frames.
  await frames(page, 15);
  return sent;
}

/**
 * Bursts of PageDown on the focused list, at a held key's repeat rate: each
 * press moves the selection a page down, so the list scrolls and the detail
 * pane shows the newly selected packet. Returns the number of presses.
 */
export async function pageDownBursts(page: Page, options: { bursts: number; presses: number; perSecond: number; pauseMs: number }): Promise<number> {
  await page.focus('.list-scroller');
  let sent = 0;
  for (let b = 0; b < options.bursts; b++) {
    sent += await paced(options.perSecond, options.presses / options.perSecond, () => page.keyboard.press('PageDown'));
    await new Promise((r) => setTimeout(r, options.pauseMs));
  }
  await frames(page, 5);
  return sent;
}
