/**
 * Driving the VS Code workbench the way a user does: the command palette, the
 * activity bar, tree rows and their context menus, the quick-input box, the
 * explorer, editor tabs. Selectors follow VS Code 1.100's DOM.
 */
import type { Frame, Locator, Page } from 'playwright-core';
import { waitFor } from './processes';

/** Times the command palette is opened for one command before giving up. */
const PALETTE_ATTEMPTS = 3;

/** Right-clicks on a tree row before giving up on its context menu. */
const MENU_ATTEMPTS = 3;

/** Runs in the page (as source text: the Node-side code has no DOM types): the focused element, as tag.classes. */
const FOCUSED_ELEMENT_IN_BROWSER = `(() => {
  const el = document.activeElement;
  return el ? [el.tagName.toLowerCase(), ...String(el.className || '').split(/\\s+/).filter(Boolean)].join('.') : 'nothing';
})()`;

export class Workbench {
  constructor(readonly page: Page) {}

  async waitUntilReady(): Promise<void> {
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  }

  /**
   * Runs a command by its palette title (e.g. "Network Capture: Stop All Captures").
   * The palette closes when it loses focus, and a webview editor takes its focus
   * back late: when a dialog or quick input over it closes, VS Code tells the
   * webview's frame to focus by a message, which a busy machine can deliver
   * after F1 opened the palette. A user then opens the palette again; so does
   * this (a few times), saying so. A palette still open without the command fails.
   */
  async runCommand(title: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pickFromPalette(title);
      } catch (e) {
        if (attempt >= PALETTE_ATTEMPTS || (await this.quickInputBox().isVisible())) throw e;
        const focus = await this.page.evaluate<string>(FOCUSED_ELEMENT_IN_BROWSER).catch(() => 'unknown');
        process.stderr.write(`e2e: the command palette closed before "${title}" was picked (focus is now on ${focus}); opening it again\n`);
      }
    }
  }

  private async pickFromPalette(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.quickInputBox();
    await input.waitFor({ state: 'visible' });
    // Short: on an open palette these take milliseconds; a closed one is tried again.
    await input.fill(`>${title}`, { timeout: 5000 });
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click({ timeout: 5000 });
  }

  quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /**
   * Answers a quick-input prompt by typing. code-server's save/open dialog is
   * such a box holding a path: replace it with `text` and press Enter.
   */
  async answerQuickInput(text: string): Promise<void> {
    const input = this.quickInputBox();
    await input.waitFor({ state: 'visible' });
    // The save dialog fills in its default path a moment after it shows; typing
    // before that would be overwritten.
    await waitFor('the quick input to settle', async () => (await input.inputValue()) !== '', 3000, 100).catch(() => undefined);
    for (let attempt = 0; attempt < 3 && (await input.inputValue()) !== text; attempt++) {
      await input.fill(text);
      // The simple file dialog re-reads its folder as the path changes; give it that moment.
      await this.page.waitForTimeout(300);
    }
    await input.press('Enter');
  }

  /** Clicks a view container's icon in the activity bar (e.g. "Network Capture"). */
  async openActivity(name: string): Promise<void> {
    // The item itself: a badge (e.g. the Explorer's count of unsaved capture tabs) covers its icon.
    const item = this.page.locator('.part.activitybar .action-item').filter({ has: this.page.locator(`[aria-label^="${name}"]`) }).first();
    await item.waitFor({ state: 'visible' });
    const container = this.page.locator('.part.sidebar .composite.title h2', { hasText: name });
    if (!(await container.isVisible().catch(() => false))) await item.click();
    await container.first().waitFor({ state: 'visible' });
  }

  sidebar(): Locator {
    return this.page.locator('.part.sidebar');
  }

  /** A tree row in the side bar whose label is exactly `label`. */
  treeRow(label: string): Locator {
    return this.sidebar()
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
  }

  /** The row's description (the grey text after the label). */
  async treeRowDescription(label: string): Promise<string> {
    return ((await this.treeRow(label).locator('.label-description').first().textContent()) ?? '').trim();
  }

  /** The codicon id of the row's icon, e.g. "vm-running". */
  async treeRowIcon(label: string): Promise<string> {
    const classes = (await this.treeRow(label).locator('.custom-view-tree-node-item-icon').first().getAttribute('class')) ?? '';
    return classes.match(/codicon-([\w-]+)/)?.[1] ?? '';
  }

  /**
   * Right-clicks a tree row and picks `entry` from its context menu. A tree refresh
   * (a Docker event just after the test's containers started) can close the menu as it
   * opens, leaving only the row's hover: a user right-clicks again; so does this, a few
   * times, saying so. An entry the menu does not offer still fails.
   */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    const item = this.page.getByRole('menuitem', { name: entry, exact: true });
    // As runCommand: try again only while nothing shows; a menu without the entry fails at once.
    for (let attempt = 1; ; attempt++) {
      await row.first().click({ button: 'right' });
      try {
        await item.waitFor({ state: 'visible', timeout: 7000 });
        break;
      } catch (e) {
        if (attempt >= MENU_ATTEMPTS || (await this.page.locator('.monaco-menu').first().isVisible())) throw e;
        process.stderr.write(`e2e: the context menu did not open for "${entry}"; right-clicking again\n`);
        await this.page.keyboard.press('Escape');
      }
    }
    // The workbench ignores a click that lands too soon after its menu opened,
    // and a tree refresh (a Docker event) can swallow one: confirm the menu
    // closed, else choose the entry with the keyboard.
    await this.page.waitForTimeout(150);
    await item.click();
    const closed = await item.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false);
    if (!closed) {
      await item.hover();
      await this.page.keyboard.press('Enter');
      await item.waitFor({ state: 'hidden', timeout: 5000 });
    }
  }

  /** The context-menu entries a right-click on `row` offers (then closes the menu). */
  async contextMenuEntries(row: Locator): Promise<string[]> {
    await row.first().click({ button: 'right' });
    const menu = this.page.locator('.monaco-menu .action-label');
    // A row whose menu has no entries shows no menu at all.
    const shown = await menu.first().waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
    if (!shown) return [];
    const labels = (await menu.allTextContents()).map((t) => t.trim()).filter(Boolean);
    await this.page.keyboard.press('Escape');
    return labels;
  }

  /** Editor tab titles, in order. */
  async tabTitles(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .label-name').allTextContents()).map((t) => t.trim());
  }

  async activateTab(titlePart: string): Promise<void> {
    await this.page.locator('.tabs-container .tab', { hasText: titlePart }).first().click();
  }

  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
  }

  /** Closes every editor, answering Don't Save when capture tabs with unsaved packets ask. */
  async closeAllEditorsDiscarding(): Promise<void> {
    await this.closeAllEditors();
    const dialog = this.page.locator('.monaco-dialog-box');
    if (await dialog.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) await this.answerModal('Don\'t Save');
    await waitFor('every editor to close', async () => (await this.tabTitles()).length === 0, 15_000);
  }

  /** Waits for VS Code's modal dialog, returns its message and clicks `button`. */
  async answerModal(button: string, timeoutMs = 10_000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
    const message = ((await dialog.locator('.dialog-message-text').textContent()) ?? '').trim();
    // Exact: "Save" must not pick "Don't Save".
    await dialog.locator('.monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(button)}\\s*$`) }).first().click();
    return message;
  }

  /** The buttons of VS Code's modal dialog once it shows (e.g. Save, Don't Save, Cancel). */
  async modalButtons(timeoutMs = 10_000): Promise<string[]> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await dialog.locator('.monaco-button').allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  /** Whether the tab whose title contains `titlePart` shows unsaved changes (VS Code's dirty dot). */
  async tabIsDirty(titlePart: string): Promise<boolean> {
    const tab = this.page.locator('.tabs-container .tab', { hasText: titlePart }).first();
    return /\bdirty\b/.test((await tab.getAttribute('class')) ?? '');
  }

  /** Notifications currently shown (toasts), as text. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((t) => t.trim());
  }

  /** Opens a workspace file from the Explorer by clicking it. */
  async openFromExplorer(fileName: string): Promise<void> {
    await this.openActivity('Explorer');
    const row = this.sidebar().locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first();
    // The explorer notices new files through its file watcher; if it has not yet, refresh as a user would.
    const listed = await row.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
    if (!listed) {
      await this.runCommand('Refresh Explorer');
      await row.waitFor({ state: 'visible', timeout: 10_000 });
    }
    await row.dblclick();
  }

  /**
   * The inner frame of the webview shown in the active editor that renders
   * `selector`. Webviews are two nested iframes; the visible outer one belongs
   * to the active tab.
   */
  async webviewFrame(selector: string, timeoutMs = 20_000): Promise<Frame> {
    return waitFor(`a visible webview showing ${selector}`, async () => {
      for (const frame of this.page.frames()) {
        const outer = frame.parentFrame();
        if (!outer || outer === this.page.mainFrame()) continue;
        const outerElement = await outer.frameElement().catch(() => undefined);
        if (!outerElement || !(await outerElement.isVisible())) continue;
        if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    }, timeoutMs, 250);
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
