/**
 * The end-to-end harness: code-server as the ordinary test user with the
 * packaged extension installed, Debian's Chromium driven by playwright-core,
 * a screenshot per step into a folder it prints, and a teardown that ends
 * everything it started, even when a test failed half-way.
 */
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { testArtifactsDir } from './support/artifacts';
import { removeRunFolders, startCodeServer, type CodeServer, type CodeServerOptions } from './support/codeServer';
import { CHROMIUM } from './support/environment';
import { Workbench } from './support/workbench';
import { launchChromium } from '../support/chromium';

export interface Harness {
  page: Page;
  workbench: Workbench;
  server: CodeServer;
  artifactsDir: string;
  /** Saves a numbered screenshot of the whole window; returns its path. */
  screenshot(step: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function startHarness(testFile: string, options: CodeServerOptions = {}): Promise<Harness> {
  const artifactsDir = testArtifactsDir(testFile);
  console.log(`e2e screenshots and logs: ${artifactsDir}`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const dispose = async (): Promise<void> => {
    // Last started, first ended; each step runs even if an earlier one throws.
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (e) {
        console.error(`e2e teardown: ${String(e)}`);
      }
    }
    cleanups.length = 0;
  };
  try {
    const server = await startCodeServer(artifactsDir, options);
    cleanups.push(() => removeRunFolders(server));
    cleanups.push(() => server.collectLogs(artifactsDir));
    cleanups.push(() => server.stop());

    const browser: Browser = await launchChromium({ executablePath: CHROMIUM, headless: true });
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(20_000);
    const consoleLog: string[] = [];
    page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLog.push(`[pageerror] ${e.message}`));
    cleanups.push(async () => {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(artifactsDir, 'browser-console.log'), consoleLog.join('\n'));
    });

    await page.goto(server.url);
    const workbench = new Workbench(page);
    await workbench.waitUntilReady();

    let step = 0;
    const screenshot = async (name: string): Promise<string> => {
      step++;
      const path = join(artifactsDir, `${String(step).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path });
      return path;
    };
    // A last picture of whatever the window showed, taken before anything closes.
    cleanups.push(async () => {
      await screenshot('final').catch(() => undefined);
    });
    return { page, workbench, server, artifactsDir, screenshot, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
