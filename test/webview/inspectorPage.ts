/**
 * Driving the inspector page of the webview harness: sending the host's
 * messages, reading what it posted back and the rows it shows.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { contextActionMessage } from '../../src/extension/inspector/contextActionMessage';
import type { InspectorAction, ToWebviewMessage } from '../../src/protocol/webviewMessages';
import type { WebviewHarness } from './harnessSession';

export async function openInspector(harness: WebviewHarness): Promise<Page> {
  const page = await harness.openPage((error) => assert.fail(`page error: ${error.message}`));
  await page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return page;
}

export async function send(page: Page, message: ToWebviewMessage): Promise<void> {
  // Binary batches cross into the page as plain arrays and become Uint8Array there, as postMessage delivers them.
  const wire = message.type === 'frames' ? { type: 'frames', batch: [...message.batch] } : message;
  // Resolves once the app's listener has had the message: a marker posted after it arrives after it
  // (messages are dispatched in order; the app ignores one without a type). Without the wait, a test
  // that reads what the message changed could read before the page's task ran.
  await page.evaluate((m) => new Promise<void>((resolve) => {
    type Listener = (event: { data: unknown }) => void;
    const w = globalThis as unknown as {
      postMessage(data: unknown, origin: string): void;
      addEventListener(type: string, listener: Listener, options: { signal: AbortSignal }): void;
    };
    const data = m.type === 'frames' ? { type: 'frames', batch: Uint8Array.from(m.batch as number[]) } : m;
    const marker = `harness-sent-${Math.random()}`;
    const done = new AbortController();
    w.addEventListener('message', (event) => {
      if ((event.data as { harnessMarker?: string } | null)?.harnessMarker !== marker) return;
      done.abort();
      resolve();
    }, { signal: done.signal });
    w.postMessage(data, '*');
    w.postMessage({ harnessMarker: marker }, '*');
  }), wire as { type: string; batch?: number[] });
}

export async function sendFrames(page: Page, frames: CapturedFrame[], perBatch = 200): Promise<void> {
  for (let i = 0; i < frames.length; i += perBatch) {
    const writer = new FrameBatchWriter();
    for (const frame of frames.slice(i, i + perBatch)) writer.add(frame);
    await send(page, { type: 'frames', batch: writer.take() });
  }
}

/** Messages the page posted to the host, in order. */
export async function postedMessages(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(() => (globalThis as unknown as { __posted: Record<string, unknown>[] }).__posted.map((m) => ({ ...m })));
}

/** Rows in the DOM that show a packet, top to bottom: [No., Time, Dir, Interface, Source, Destination, Protocol, Length, Info]. */
export async function visibleRows(page: Page): Promise<string[][]> {
  return page.$$eval('.list-row:not([hidden])', (rows) =>
    rows
      .map((row) => ({ y: row.getBoundingClientRect().top, cells: Array.from(row.querySelectorAll('.cell'), (c) => c as unknown as { textContent: string | null })
        // The cells a user sees: a column that does not apply (Container, one container) is in the DOM, not shown.
        .filter((c) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(c).display !== 'none')
        .map((c) => c.textContent ?? '') }))
      .sort((a, b) => a.y - b.y)
      .map((r) => r.cells),
  );
}

/** Polls a condition the page reaches asynchronously (string predicates would need eval, which the CSP forbids). */
export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`condition not reached in ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The merged `data-vscode-context` VS Code would hand a context-menu command
 * for a right-click on `selector` (inner keys win), as its webview does.
 */
export async function vscodeContextAt(page: Page, selector: string): Promise<Record<string, unknown>> {
  return page.$eval(selector, (start) => {
    interface Node { getAttribute(name: string): string | null; parentElement: Node | null }
    const chain: Record<string, unknown>[] = [];
    for (let e: Node | null = start as unknown as Node; e; e = e.parentElement) {
      const raw = e.getAttribute('data-vscode-context');
      if (raw) chain.unshift(JSON.parse(raw) as Record<string, unknown>);
    }
    return Object.assign({}, ...chain) as Record<string, unknown>;
  });
}

/**
 * Clicks byte `offset` of the hexdump where it is drawn, in the hex or the ASCII column,
 * as a user would: the point is the middle of the byte's characters, found with a DOM
 * Range over the line's text (not with the view's own arithmetic).
 */
export async function clickHexByte(page: Page, offset: number, column: 'hex' | 'ascii'): Promise<void> {
  const point = await page.$$eval('.hex-line', (lines, [at, inAscii]) => {
    const cell = lines[Math.floor(at / 16)]?.querySelector(inAscii ? '.hex-ascii' : '.hex-bytes');
    if (!cell) throw new Error(`no hexdump line for byte ${at}`);
    const i = at % 16;
    let c = inAscii ? i : i < 8 ? 3 * i : 3 * i + 1;
    const width = inAscii ? 1 : 2;
    const walker = cell.ownerDocument.createTreeWalker(cell, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = node.textContent?.length ?? 0;
      if (c + width <= length) {
        const range = cell.ownerDocument.createRange();
        range.setStart(node, c);
        range.setEnd(node, c + width);
        const r = range.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }
      c -= length;
    }
    throw new Error(`byte ${at} is not drawn`);
  }, [offset, column === 'ascii'] as const);
  await page.mouse.click(point.x, point.y);
}

/** The `contextAction` message VS Code relays when `action` is picked from the menu of `selector`'s element (its `data-vscode-context`). */
export async function menuMessage(page: Page, selector: string, action: InspectorAction): Promise<ToWebviewMessage> {
  const message = contextActionMessage(action, { ...(await vscodeContextAt(page, selector)), webview: 'dockerNetworkCapture.inspector' });
  assert.ok(message, `the host accepts the context of ${selector}`);
  return message;
}

/** Right-clicks `selector` and picks `action` from its menu, as VS Code would relay it. */
export async function pickFromMenu(page: Page, selector: string, action: InspectorAction): Promise<void> {
  await page.click(selector, { button: 'right' });
  await send(page, await menuMessage(page, selector, action));
}
