/**
 * A CPU profile of the page while an action runs (DevTools protocol, Profiler
 * domain), written as a .cpuprofile that DevTools and VS Code open.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export async function withCpuProfile<T>(page: Page, path: string, action: () => Promise<T>): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    return await action();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    await cdp.detach();
  }
}
