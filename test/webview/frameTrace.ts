/**
 * Records a Chromium trace (DevTools protocol, Tracing domain) around an
 * action on the page and counts its frames (frameCounts.ts). Headless
 * Chromium has no display, but its compositor keeps a 60 Hz BeginFrame clock
 * of its own (viz's delay-based source): a frame missed is missed against
 * that clock, as it would be against a screen's vsync.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { countFrames, type FrameCounts, type TraceEvent } from './frameCounts';

const CATEGORIES = ['disabled-by-default-devtools.timeline.frame', 'devtools.timeline', 'benchmark', 'cc', 'viz'];

export interface TracedAction<T> {
  result: T;
  frames: FrameCounts;
}

/**
 * Runs `action` while tracing; frames are counted from the first BeginFrame
 * after it starts to the end of the action (a few settling frames included).
 * `saveTo` keeps the raw trace (open it in DevTools' Performance panel).
 */
export async function traceFrames<T>(page: Page, action: () => Promise<T>, saveTo?: string): Promise<TracedAction<T>> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: CATEGORIES, excludedCategories: ['*'] } });
  // Marks in the trace's own clock where the action began and ended.
  const mark = (name: string): Promise<unknown> => page.evaluate((n) => console.timeStamp(n), name);
  await mark('dnc-action-start');
  const result = await action();
  await mark('dnc-action-end');
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  if (saveTo) writeFileSync(saveTo, JSON.stringify({ traceEvents: events }));
  const at = (name: string): number | undefined => events.find((e) => e.name === 'TimeStamp' && (e.args?.data as { message?: string } | undefined)?.message === name)?.ts;
  return { result, frames: countFrames(events, at('dnc-action-start'), at('dnc-action-end')) };
}
