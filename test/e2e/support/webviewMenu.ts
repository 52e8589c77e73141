/**
 * VS Code's own context menu over a webview (the `webview/context` entries),
 * and the browser clipboard a Copy entry or Ctrl+C writes to.
 */
import type { Locator, Page } from 'playwright-core';

/** Right-clicks `target` (inside a webview) and picks `path`, e.g. ['Apply as Filter', 'Selected']. */
export async function pickFromWebviewMenu(page: Page, target: Locator, path: string[]): Promise<void> {
  await target.click({ button: 'right' });
  for (let i = 0; i < path.length; i++) {
    const item = page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: exactly(path[i] ?? '') }).last();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    // The workbench ignores a click that lands too soon after its menu opened.
    await page.waitForTimeout(150);
    if (i < path.length - 1) {
      // A submenu opens on hover (and on click); the last matching label is the newest menu's.
      await item.hover();
      await item.click();
    } else {
      await item.click();
    }
  }
  await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
}

/** The labels of the menu a right-click on `target` opens (then closes it). */
export async function webviewMenuLabels(page: Page, target: Locator): Promise<string[]> {
  await target.click({ button: 'right' });
  const labels = page.locator('.monaco-menu .action-label');
  await labels.first().waitFor({ state: 'visible', timeout: 10_000 });
  const texts = (await labels.allTextContents()).map((t) => t.trim()).filter(Boolean);
  await page.keyboard.press('Escape');
  return texts;
}

export async function allowClipboard(page: Page, origin: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
}

export async function readClipboard(page: Page): Promise<string> {
  return page.evaluate('navigator.clipboard.readText()');
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}
