/**
 * The inspector's context-menu entries, clipboard, Find (Ctrl+F) and Go to
 * (Ctrl+G) in real Chromium. A right-click's context is read from the page
 * the way VS Code reads it (merged `data-vscode-context`), turned into the
 * host's relayed message by the host's own code, and sent back to the page.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { toHex } from '../../src/core/hex';
import { hexdumpLines } from '../../src/core/hexdump';
import type { CapturedFrame } from '../../src/core/packet';
import { formatSeedText } from '../../src/core/seedFormat';
import { summarize } from '../../src/core/decode/index';
import { contextActionMessage } from '../../src/extension/inspector/contextActionMessage';
import { arpFrame, dnsQuery, ipv4Frame, ipv6UdpFrame } from '../unit/filterTestFrames';
import { ARTIFACTS, webviewHarness } from './harnessSession';
import { openInspector, pickFromMenu, postedMessages, send, sendFrames, until, visibleRows, vscodeContextAt } from './inspectorPage';

const harness = webviewHarness();
const hostnames = { '172.17.0.2': 'client', '172.17.0.3': 'web' };
const t = 1_700_000_000;
const FRAMES: CapturedFrame[] = [
  ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80, payload: 'GET / HTTP/1.1\r\nHost: web\r\n\r\n', tsSec: t }),
  ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'tcp', srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 200 OK\r\n\r\nhello', direction: 'in', tsSec: t, tsUsec: 1500 }),
  ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.10', transport: 'udp', srcPort: 5353, dstPort: 53, payload: dnsQuery('web.test'), tsSec: t, tsUsec: 250_000 }),
  ipv4Frame({ src: '127.0.0.1', dst: '127.0.0.1', transport: 'udp', srcPort: 9000, dstPort: 9001, payload: 'Ping', interfaceName: 'lo', tsSec: t + 1 }),
  ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'icmp', direction: 'in', tsSec: t + 1 }),
  arpFrame('172.17.0.2', '172.17.0.1', { tsSec: t + 1 }),
  ipv6UdpFrame({ src: 'fd00::2', dst: 'fd00::3', transport: 'udp', srcPort: 7000, dstPort: 7001, payload: 'v6data', tsSec: t + 2 }),
  ipv4Frame({ src: '10.0.0.5', dst: '172.17.0.2', transport: 'tcp', srcPort: 1234, dstPort: 22, direction: 'in', tsSec: t + 2 }),
];

async function loaded(): Promise<Page> {
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'web', container: { id: 'c0ffee', name: 'web' }, live: false, hostnames, maxPackets: 1000, status: { state: 'file' } });
  await sendFrames(page, FRAMES);
  await until(async () => (await visibleRows(page)).length === FRAMES.length);
  return page;
}

async function lastCopy(page: Page): Promise<string> {
  const copies = (await postedMessages(page)).filter((m) => m.type === 'copy');
  return String(copies.at(-1)?.text ?? '');
}

const numbers = async (page: Page): Promise<string[]> => (await visibleRows(page)).map((r) => r[0] ?? '');
const filterValue = (page: Page): Promise<string> => page.inputValue('#filter-input');

test('Apply and Prepare as Filter on a cell build the Wireshark expression and filter the list', async () => {
  const page = await loaded();
  const context = await vscodeContextAt(page, '.list-row[data-number="1"] .col-source');
  assert.equal(context.webviewSection, 'packetRow');
  assert.equal(context.packet, 1);
  assert.equal(context.column, 'source');
  assert.equal(context.preventDefaultContextMenuItems, true);

  await pickFromMenu(page, '.list-row[data-number="1"] .col-source', 'applySelected');
  // As in Wireshark, ip.src is not ARP's sender address.
  await until(async () => (await numbers(page)).join() === '1,3');
  assert.equal(await filterValue(page), 'ip.src == 172.17.0.2');
  assert.equal(await page.textContent('.list-row.selected .col-number'), '1', 'the right-clicked row is selected');

  await pickFromMenu(page, '.list-row[data-number="1"] .col-destination', 'applyOrSelected');
  await until(async () => (await numbers(page)).join() === '1,3');
  assert.equal(await filterValue(page), '(ip.src == 172.17.0.2) || (ip.dst == 172.17.0.3)');

  await pickFromMenu(page, '.list-row[data-number="3"] .col-protocol', 'applyAndNotSelected');
  await until(async () => (await numbers(page)).join() === '1');
  assert.equal(await filterValue(page), '((ip.src == 172.17.0.2) || (ip.dst == 172.17.0.3)) && !(proto == "DNS")');

  // Prepare: the text is in the box (focused, to be edited), the list is unchanged.
  await pickFromMenu(page, '.list-row[data-number="1"] .col-direction', 'prepareNotSelected');
  assert.equal(await filterValue(page), '!(dir == out)');
  assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'filter-input');
  assert.equal((await numbers(page)).join(), '1');
  await page.press('#filter-input', 'Enter');
  await until(async () => (await numbers(page)).join() === '2,5,8');

  await page.fill('#filter-input', '');
  await page.press('#filter-input', 'Enter');
  await until(async () => (await numbers(page)).length === 8);
  await pickFromMenu(page, '.list-row[data-number="4"] .col-number', 'applySelected');
  await until(async () => (await numbers(page)).join() === '4');
  assert.equal(await filterValue(page), 'frame.number == 4');
  await page.close();
});

test('Copy entries put the summary line, hex dump, hex stream and CLI text on the clipboard', async () => {
  const page = await loaded();
  const frame = FRAMES[0] as CapturedFrame;
  const shown = (await visibleRows(page))[0] as string[];
  await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'copySummary');
  assert.equal(await lastCopy(page), shown.join('\t'));
  assert.match(await lastCopy(page), /^1\t0\.000000\tOUT\teth0\tclient\tweb\tHTTP\t83\tGET \/ HTTP\/1\.1/);
  await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'copyHexDump');
  assert.equal(await lastCopy(page), hexdumpLines(frame.data).join('\n') + '\n');
  assert.match(await lastCopy(page), /^0000  02 42 AC 11 00 03 02 42 AC 11 00 02 08 00 45 00  \.B\.\.\.\.\.B\.\.\.\.\.\.E\.\n/);
  await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'copyHexStream');
  assert.equal(await lastCopy(page), toHex(frame.data));
  await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'copyLegacyText');
  assert.equal(await lastCopy(page), formatSeedText(frame, summarize(frame.data, frame.linkType, frame.originalLength)));
  assert.match(await lastCopy(page), /^OUT: 172\.17\.0\.3:80\n/);
  await page.close();
});

test('a field of the layer tree: Apply as Filter, Copy Value, Copy as Filter; fields without a filter say so', async () => {
  const page = await loaded();
  await page.click('.list-row[data-number="3"]');
  const field = (name: string): string => `.field:has(.field-name:text-is("${name}: "))`;
  await page.waitForSelector(field('Source Address'));
  const context = await vscodeContextAt(page, field('Source Address'));
  assert.equal(context.webviewSection, 'packetField');
  assert.equal(context.filterable, true);
  assert.equal((await vscodeContextAt(page, field('Header Checksum'))).filterable, false);

  await pickFromMenu(page, field('Source Address'), 'copyFieldValue');
  assert.equal(await lastCopy(page), '172.17.0.2');
  await pickFromMenu(page, field('Source Address'), 'copyFieldFilter');
  assert.equal(await lastCopy(page), 'ip.src == 172.17.0.2');
  await pickFromMenu(page, field('Query'), 'copyFieldFilter');
  assert.equal(await lastCopy(page), 'dns.qry.name == "web.test"');
  await pickFromMenu(page, field('Destination Port'), 'applySelected');
  await until(async () => (await numbers(page)).join() === '3');
  assert.equal(await filterValue(page), 'udp.dstport == 53');
  assert.equal(await page.getAttribute(field('Destination Port'), 'class'), 'field active', 'the right-clicked field is the active one');
  // Metadata fields come from no byte of the frame: no "bytes 0--1" tooltip.
  assert.equal(await page.getAttribute(field('Interface'), 'title'), null);
  await pickFromMenu(page, field('Header Checksum'), 'applySelected');
  assert.equal(await page.textContent('#action-notice'), 'This field has no display-filter name');
  assert.equal(await filterValue(page), 'udp.dstport == 53');
  await page.close();
});

test('menu actions for another inspector are ignored; Mark/Unmark highlights a row', async () => {
  const page = await loaded();
  await send(page, { type: 'contextAction', target: '0123456789abcdef', action: 'applySelected', packet: 1, column: 'source' });
  await page.waitForTimeout(100);
  assert.equal(await filterValue(page), '');
  assert.equal(contextActionMessage('applySelected', { inspector: 'x; rm -rf', packet: 1 }), undefined);

  await pickFromMenu(page, '.list-row[data-number="2"] .col-info', 'toggleMark');
  await until(async () => (await page.getAttribute('.list-row[data-number="2"]', 'class'))?.includes('marked') === true);
  await page.screenshot({ path: join(ARTIFACTS, 'inspector-marked.png') });
  await pickFromMenu(page, '.list-row[data-number="2"] .col-info', 'toggleMark');
  await until(async () => (await page.getAttribute('.list-row[data-number="2"]', 'class'))?.includes('marked') === false);
  // Ctrl+M marks the selected packet.
  await page.focus('.list-scroller');
  await page.keyboard.press('Control+m');
  await until(async () => (await page.getAttribute('.list-row[data-number="2"]', 'class'))?.includes('marked') === true);
  await page.close();
});

test('Ctrl+C copies the selected row, or the focused field of the tree', async () => {
  const page = await loaded();
  // Records what the page put on the clipboard through the copy event.
  await page.evaluate(() => {
    const w = globalThis as unknown as { __copied: string[]; addEventListener(type: string, f: (e: { clipboardData: { getData(t: string): string } | null }) => void): void };
    w.__copied = [];
    w.addEventListener('copy', (e) => w.__copied.push(e.clipboardData?.getData('text/plain') ?? ''));
  });
  const copied = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { __copied: string[] }).__copied);
  await page.click('.list-row[data-number="4"]');
  await page.keyboard.press('Control+c');
  await until(async () => (await copied()).length === 1);
  assert.equal((await copied())[0], ((await visibleRows(page))[3] as string[]).join('\t'));
  await page.click('.field:has(.field-name:text-is("Destination Port: "))');
  await page.keyboard.press('Control+c');
  await until(async () => (await copied()).length === 2);
  assert.equal((await copied())[1], 'Destination Port: 9001');
  await page.close();
});

test('Ctrl+F finds the next packet by string, hex bytes or display filter; Ctrl+G goes to a number', async () => {
  const page = await loaded();
  await page.click('.list-row[data-number="1"]');
  await page.keyboard.press('Control+f');
  await page.waitForSelector('#find-input:focus');
  await page.selectOption('#find-mode', 'string');
  await page.fill('#find-input', 'ping');
  await page.press('#find-input', 'Enter');
  await until(async () => (await page.textContent('.list-row.selected .col-number')) === '4');
  await page.selectOption('#find-mode', 'hex');
  await page.fill('#find-input', '47 45 54');
  await page.press('#find-input', 'Enter');
  // Wraps around past the last packet.
  await until(async () => (await page.textContent('.list-row.selected .col-number')) === '1');
  await page.fill('#find-input', 'zz');
  await page.press('#find-input', 'Enter');
  assert.match((await page.textContent('#jump-message')) ?? '', /not a hex byte sequence/);
  await page.selectOption('#find-mode', 'filter');
  await page.fill('#find-input', 'ipv6 or arp');
  await page.press('#find-input', 'Enter');
  await until(async () => (await page.textContent('.list-row.selected .col-number')) === '6');
  await page.press('#find-input', 'Shift+Enter');
  await until(async () => (await page.textContent('.list-row.selected .col-number')) === '7');
  await page.fill('#find-input', 'udp.port == 1');
  await page.press('#find-input', 'Enter');
  assert.equal(await page.textContent('#jump-message'), 'No packet matches');
  await page.press('#find-input', 'Escape');
  assert.equal(await page.isVisible('.jump-bar'), false);

  await page.keyboard.press('Control+g');
  await page.waitForSelector('#goto-input:focus');
  await page.fill('#goto-input', '5');
  await page.press('#goto-input', 'Enter');
  await until(async () => (await page.textContent('.list-row.selected .col-number')) === '5');
  await page.keyboard.press('Control+g');
  await page.fill('#goto-input', '99');
  await page.press('#goto-input', 'Enter');
  assert.equal(await page.textContent('#jump-message'), 'Packet 99 is not in this capture (1–8)');
  await page.close();
});
