/**
 * Reading the packet inspector webview as a user reads it: the rows of the
 * packet grid under their column headers, the status line, the detail tree,
 * the hexdump, the display filter and its error line.
 */
import type { Frame, Locator } from 'playwright-core';
import { waitFor } from './processes';
import type { Workbench } from './workbench';

export const PACKET_GRID = '[role="grid"][aria-label="Packets"]';

/** One visible row: each cell's text and its hover title, by column header. */
export interface PacketRow {
  text: Record<string, string>;
  title: Record<string, string>;
}

/**
 * Runs inside the webview (as source text: this project's Node-side code is
 * compiled without DOM types). Rendered rows, top to bottom, with each cell's
 * text and hover title under its column header.
 */
const ROWS_IN_BROWSER = `(() => {
  const { grid, headers } = __ARGS__;
  const rows = [...document.querySelectorAll(grid + ' [role="rowgroup"] [role="row"]')]
    .filter((r) => !r.hidden && getComputedStyle(r).display !== 'none' && (r.textContent || '').trim() !== '')
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  return rows.map((r) => {
    const cells = [...r.querySelectorAll('[role="gridcell"]')];
    const text = {}, title = {};
    headers.forEach((h, i) => { text[h] = ((cells[i] && cells[i].textContent) || '').trim(); title[h] = (cells[i] && cells[i].title) || ''; });
    return { text, title };
  });
})()`;

export class Inspector {
  constructor(readonly frame: Frame) {}

  /** The inspector in the active editor tab. */
  static async active(workbench: Workbench, timeoutMs = 20_000): Promise<Inspector> {
    return new Inspector(await workbench.webviewFrame(PACKET_GRID, timeoutMs));
  }

  grid(): Locator {
    return this.frame.locator(PACKET_GRID);
  }

  async headers(): Promise<string[]> {
    return (await this.grid().locator('[role="columnheader"]').allTextContents()).map((t) => t.trim());
  }

  /** Rows currently rendered (the list is virtualized: the ones in view), top to bottom. */
  async rows(): Promise<PacketRow[]> {
    const headers = await this.headers();
    return this.frame.evaluate<PacketRow[]>(ROWS_IN_BROWSER.replace('__ARGS__', JSON.stringify({ grid: PACKET_GRID, headers })));
  }

  /** Waits until some rendered row satisfies `match`; returns it. */
  async waitForRow(what: string, match: (row: PacketRow) => boolean, timeoutMs = 20_000): Promise<PacketRow> {
    return waitFor(`a packet row: ${what}`, async () => (await this.rows()).find(match), timeoutMs, 300);
  }

  /** Clicks the first rendered row whose Info contains `infoPart`; returns its No. */
  async selectRow(infoPart: string): Promise<string> {
    const row = this.grid().locator('[role="row"]', { has: this.frame.locator('[role="gridcell"]', { hasText: infoPart }) }).first();
    await row.click();
    return ((await row.locator('[role="gridcell"]').first().textContent()) ?? '').trim();
  }

  async statusLine(): Promise<string> {
    return ((await this.frame.locator('#status-line').textContent()) ?? '').trim();
  }

  /** The status line is styled as an error (capture failed). */
  async statusIsError(): Promise<boolean> {
    return ((await this.frame.locator('#status-line').getAttribute('class')) ?? '').split(/\s+/).includes('error');
  }

  async counter(name: 'packets' | 'shown' | 'bytes'): Promise<string> {
    return ((await this.frame.locator(`[data-counter="${name}"]`).textContent()) ?? '').trim();
  }

  /** Layer names and "name: value" field lines of the detail tree. */
  async detailText(): Promise<string> {
    return ((await this.frame.locator('[role="tree"][aria-label="Packet layers"]').innerText()) ?? '').trim();
  }

  /** Every byte of the hexdump, as lowercase hex without separators. */
  async hexdumpBytes(): Promise<string> {
    const hex = await this.frame.locator('.hexdump .hex-bytes').allTextContents();
    return hex.join('').replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  }

  /** The hexdump's ASCII column, lines joined. */
  async hexdumpAscii(): Promise<string> {
    return (await this.frame.locator('.hexdump .hex-ascii').allTextContents()).join('');
  }

  async typeFilter(text: string): Promise<void> {
    const input = this.frame.locator('#filter-input');
    await input.fill(text);
    await input.press('Enter');
  }

  /** The filter's error line, or '' when it is hidden. */
  async filterError(): Promise<string> {
    const error = this.frame.locator('#filter-error');
    return (await error.isVisible()) ? ((await error.textContent()) ?? '').trim() : '';
  }

  async click(buttonId: 'stop-button' | 'save-json-button' | 'save-pcap-button' | 'clear-button' | 'capture-again-button'): Promise<void> {
    await this.frame.locator(`#${buttonId}`).click();
  }

  async stopVisible(): Promise<boolean> {
    return this.frame.locator('#stop-button').isVisible();
  }

  async captureAgainVisible(): Promise<boolean> {
    return this.frame.locator('#capture-again-button').isVisible();
  }

  /** If the inspector asks "save which packets?", answers it. */
  async answerSaveChoice(choice: 'save-all' | 'save-shown'): Promise<void> {
    const button = this.frame.locator(`#${choice}`);
    if (await button.isVisible().catch(() => false)) await button.click();
  }
}

/** True when a cell shows `address`, by itself or as a container name whose hover title carries it. */
export function showsAddress(row: PacketRow, column: string, address: string): boolean {
  return row.text[column] === address || (row.title[column] ?? '').split(/[\s()]+/).includes(address);
}

export const asciiHex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');
