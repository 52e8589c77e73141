/**
 * One Chromium and one harness server per webview test file, started before
 * its first test and closed after its last: the inspector bundle as VS Code
 * loads it, on a page with the same CSP.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { buildWebview } from './buildBundle';
import { startHarnessServer, type HarnessServer } from './harnessServer';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** Screenshots land here (gitignored). */
export const ARTIFACTS = join(REPO_ROOT, '.test-artifacts', 'webview');

export interface WebviewHarness {
  /** A fresh page showing the inspector; page errors go to `onPageError`. */
  openPage(onPageError: (error: Error) => void): Promise<Page>;
}

export function webviewHarness(): WebviewHarness {
  let server: HarnessServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    buildWebview(REPO_ROOT);
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startHarnessServer(REPO_ROOT);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    async openPage(onPageError) {
      if (!browser || !server) throw new Error('the webview harness did not start');
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', onPageError);
      await page.goto(server.url);
      return page;
    },
  };
}
