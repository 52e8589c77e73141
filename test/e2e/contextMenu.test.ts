/**
 * Issue 14: the inspector's context menus and clipboard in real VS Code. A
 * saved capture (a fixture pcap of a real HTTP exchange) is opened from the
 * explorer; right-clicking a row or a field of the layer tree shows VS Code's
 * own menu, whose entries filter the list or fill the clipboard; Ctrl+C copies
 * the selected row or field.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness';
import type { Inspector } from './support/inspector';
import { waitFor } from './support/processes';
import { allowClipboard, pickFromWebviewMenu, readClipboard, webviewMenuLabels } from './support/webviewMenu';
import { openWorkspaceCapture } from './support/workspaceFiles';

const FIXTURE = join(__dirname, '..', 'fixtures', 'loopback-http.pcap');
const FILE = 'e2e-context-menu.pcap';

describe('the inspector context menu and clipboard', { timeout: 240_000 }, () => {
  let h: Harness;
  let inspector: Inspector;
  before(async () => {
    h = await startHarness(__filename);
    await allowClipboard(h.page, new URL(h.server.url).origin);
    inspector = await openWorkspaceCapture(h, FIXTURE, FILE);
    await inspector.waitForRow('the HTTP request', (r) => r.text.Info?.startsWith('GET /index.html') === true);
  });
  after(async () => {
    await h?.dispose();
  });

  const row = (n: number) => inspector.grid().locator(`.list-row[data-number="${n}"]:not([hidden])`);
  const shownNumbers = async (): Promise<string> => (await inspector.rows()).map((r) => r.text['No.']).join(',');

  it('a reopened pcap shows Dir and Interface blank, not a guess, and says why in the detail', async () => {
    const rows = await inspector.rows();
    assert.ok(rows.length >= 12, `${rows.length} rows`);
    assert.ok(rows.every((r) => r.text.Dir === '' && r.text.Interface === ''), JSON.stringify(rows.map((r) => [r.text.Dir, r.text.Interface])));
    await row(4).click();
    // The detail pane follows a click at the next frame: until then it shows no packet.
    const detail = await waitFor('packet 4 in the detail pane', async () => {
      const text = await inspector.detailText();
      return /^Frame 4:/.test(text) ? text : undefined;
    }, 10_000);
    assert.match(detail, /Direction: unknown \(a pcap file does not record it\)/);
  });

  it('a row offers Apply/Prepare as Filter, Copy, Mark and Go to, and not the browser\'s Cut/Paste', async () => {
    const labels = await webviewMenuLabels(h.page, row(4).locator('.col-info'));
    await h.screenshot('row-menu');
    for (const label of ['Apply as Filter', 'Prepare as Filter', 'Copy', 'Mark/Unmark Packet', 'Go to Packet…', 'Find Packet…']) {
      assert.ok(labels.includes(label), `${label} in ${JSON.stringify(labels)}`);
    }
    assert.ok(!labels.includes('Paste') && !labels.includes('Cut'), JSON.stringify(labels));
  });

  it('Apply as Filter > Selected on a row\'s Length filters the list to that packet', async () => {
    await pickFromWebviewMenu(h.page, row(4).locator('.col-length'), ['Apply as Filter', 'Selected']);
    await waitFor('the filter to apply', async () => (await shownNumbers()) === '4', 10_000);
    assert.equal(await inspector.frame.inputValue('#filter-input'), 'frame.len == 153');
    await h.screenshot('applied-row-filter');
  });

  it('Apply as Filter > …or Selected on a field of the tree combines with the filter', async () => {
    await pickFromWebviewMenu(h.page, row(4).locator('.col-number'), ['Apply as Filter', 'Selected']);
    await waitFor('packet 4 alone', async () => (await shownNumbers()) === '4', 10_000);
    await pickFromWebviewMenu(h.page, inspector.frame.locator('.field', { hasText: /^Source Port: 53914$/ }).first(), ['Apply as Filter', '…or Selected']);
    await waitFor('the combined filter', async () => (await inspector.frame.inputValue('#filter-input')) === '(frame.number == 4) || (tcp.srcport == 53914)', 10_000);
    await waitFor('the client\'s packets', async () => (await shownNumbers()) === '1,3,4,7,9,11', 10_000);
    await h.screenshot('applied-field-filter');
  });

  it('Copy Value and Copy as Filter on a field, Copy > As Hex Stream on a row, reach the clipboard', async () => {
    await row(4).click();
    const sourcePort = inspector.frame.locator('.field', { hasText: /^Source Port: 53914$/ }).first();
    await pickFromWebviewMenu(h.page, sourcePort, ['Copy Value']);
    await waitFor('the value on the clipboard', async () => (await readClipboard(h.page)) === '53914', 10_000);
    await pickFromWebviewMenu(h.page, sourcePort, ['Copy as Filter']);
    await waitFor('the filter on the clipboard', async () => (await readClipboard(h.page)) === 'tcp.srcport == 53914', 10_000);
    await pickFromWebviewMenu(h.page, row(4).locator('.col-info'), ['Copy', 'As Hex Stream']);
    const stream = await waitFor('the hex stream on the clipboard', async () => {
      const text = await readClipboard(h.page);
      return /^[0-9a-f]+$/.test(text) ? text : undefined;
    }, 10_000);
    assert.equal(stream.length, 153 * 2);
    assert.equal(stream, await inspector.hexdumpBytes());
  });

  it('Ctrl+C copies the selected row\'s summary line, then the focused field', async () => {
    await row(4).click();
    await h.page.keyboard.press('Control+c');
    const line = await waitFor('the row on the clipboard', async () => {
      const text = await readClipboard(h.page);
      return text.startsWith('4\t') ? text : undefined;
    }, 10_000);
    assert.match(line, /^4\t0\.000130\t.*\t127\.0\.0\.1\t127\.0\.0\.1\tHTTP\t153\tGET \/index\.html HTTP\/1\.1$/);
    await inspector.frame.locator('.field', { hasText: /^Destination Port: 8080$/ }).first().click();
    await h.page.keyboard.press('Control+c');
    await waitFor('the field on the clipboard', async () => (await readClipboard(h.page)) === 'Destination Port: 8080', 10_000);
  });
});
