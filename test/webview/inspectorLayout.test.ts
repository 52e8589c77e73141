/**
 * The inspector's layout in real Chromium: a 570 px editor keeps every column
 * reachable and the hexdump unclipped, the dividers drag, a hex byte selects
 * its field, the tree answers the arrow keys, paging fast ends on the right packet's
 * details, and reading pauses Follow.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ipv4Frame } from '../unit/filterTestFrames';
import { ARTIFACTS, webviewHarness } from './harnessSession';
import { contextActionMessage } from '../../src/extension/inspector/contextActionMessage';
import { clickHexByte, openInspector, send, sendFrames, until, visibleRows, vscodeContextAt } from './inspectorPage';

const harness = webviewHarness();
const frames = Array.from({ length: 60 }, (_, i) =>
  ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000 + i, dstPort: 80, payload: `GET /item/${i} HTTP/1.1\r\nHost: web\r\n\r\n`, tsSec: 1_700_000_000 + i * 3 }));

async function loaded(width: number, live = false): Promise<Page> {
  const page = await openInspector(harness);
  await page.setViewportSize({ width, height: 800 });
  await send(page, { type: 'init', title: 'web', live, hostnames: {}, maxPackets: 1000, status: { state: live ? 'capturing' : 'file' } });
  await sendFrames(page, frames);
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '60 packets');
  return page;
}

interface Box { left: number; right: number; top: number; height: number }
const box = (page: Page, selector: string): Promise<Box> =>
  page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, height: r.height };
  });

test('in a 570 px editor the list scrolls sideways to Info, header and cells aligned; the hexdump is not clipped', async () => {
  const page = await loaded(570);
  const scroller = await page.$eval('.list-scroller', (e) => ({ scrollWidth: e.scrollWidth, clientWidth: e.clientWidth }));
  assert.ok(scroller.scrollWidth > scroller.clientWidth, 'the list scrolls sideways');
  await page.$eval('.list-scroller', (e) => {
    e.scrollLeft = e.scrollWidth;
  });
  await page.waitForTimeout(100);
  const info = await box(page, '.list-header .col-info');
  const cell = await box(page, '.list-row:not([hidden]) .col-info');
  assert.ok(info.left >= 0 && info.right <= 570, `Info header on screen: ${JSON.stringify(info)}`);
  assert.ok(Math.abs(info.left - cell.left) <= 1, `header and cells aligned: ${info.left} vs ${cell.left}`);
  assert.match((await visibleRows(page)).at(-1)?.[8] ?? '', /^GET \/item\/59 HTTP\/1\.1/);
  // Time past 100 s fits its column.
  const time = await page.$eval('.list-row[data-number="60"] .col-time', (e) => ({ text: e.textContent, fits: e.scrollWidth <= e.clientWidth }));
  assert.equal(time.text, '177.000000');
  assert.ok(time.fits, 'the time is not cut');

  await page.click('.list-row:not([hidden])');
  await page.waitForSelector('.hex-line');
  const clipped = await page.$eval('.hexdump', (h) => h.scrollWidth > h.clientWidth);
  assert.equal(clipped, false, 'the hexdump (with its ASCII column) fits the narrow editor');
  await page.screenshot({ path: join(ARTIFACTS, 'inspector-570px.png') });
  await page.close();
});

test('the list/details and tree/hex dividers drag', async () => {
  const page = await loaded(1280);
  const list = await box(page, '.packet-list');
  const splitter = await box(page, '#list-splitter');
  await page.mouse.move(600, splitter.top + splitter.height / 2);
  await page.mouse.down();
  await page.mouse.move(600, splitter.top + 120, { steps: 5 });
  await page.mouse.up();
  const after = await box(page, '.packet-list');
  assert.ok(Math.abs(after.height - (list.height + 118)) <= 6, `list ${list.height} -> ${after.height}`);

  const tree = await box(page, '.layer-tree');
  const divider = await box(page, '#detail-splitter');
  await page.mouse.move(divider.left + 2, divider.top + 20);
  await page.mouse.down();
  await page.mouse.move(divider.left - 150, divider.top + 20, { steps: 5 });
  await page.mouse.up();
  const treeAfter = await box(page, '.layer-tree');
  assert.ok(Math.abs(treeAfter.right - tree.right + 152) <= 6, `tree ${tree.right} -> ${treeAfter.right}`);
  await page.close();
});

test('a hex byte selects its field; arrow keys walk the tree and fold layers', async () => {
  const page = await loaded(1280);
  await page.focus('.list-scroller');
  await page.keyboard.press('Home');
  await page.click('.list-row[data-number="1"]');
  await page.waitForSelector('.hex-line');
  // Byte 26: the first byte of the IPv4 source address (14 bytes of Ethernet, then 12 into IPv4).
  await clickHexByte(page, 26, 'hex');
  assert.equal(await page.textContent('.field.active'), 'Source Address: 172.17.0.2');
  assert.deepEqual(await page.$$eval('.hex-bytes .byte.highlight', (b) => b.map((e) => e.textContent)), ['AC', '11', '00', '02']);
  assert.deepEqual(await page.$$eval('.hex-ascii .byte.highlight', (b) => b.map((e) => e.getAttribute('data-offset'))), ['26', '27', '28', '29']);
  // The lines keep their text with the mark in them.
  assert.equal(await page.$$eval('.hex-line', (l) => l[1]?.textContent), '0010  00 4B 12 34 40 00 40 06  D0 51 AC 11 00 02 AC 11  .K.4@.@..Q......');
  // The ASCII column answers too: its byte 31 is the destination address's second byte.
  await clickHexByte(page, 31, 'ascii');
  assert.equal(await page.textContent('.field.active'), 'Destination Address: 172.17.0.3');
  assert.equal(await page.$$eval('.hex-bytes .byte.highlight', (b) => b.length), 4);
  await clickHexByte(page, 26, 'hex');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.textContent('.field.active'), 'Destination Address: 172.17.0.3');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.textContent('.layer-name.active'), 'Internet Protocol Version 4');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.$eval('.layer-name.active', (s) => (s.parentElement as unknown as { open: boolean }).open), false);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.$eval('.layer-name.active', (s) => (s.parentElement as unknown as { open: boolean }).open), true);
  await page.close();
});

test('paging by keyboard, pressed fast: the detail pane ends on the packet the selection rests on', async () => {
  const page = await loaded(1280);
  await page.focus('.list-scroller');
  await page.keyboard.press('Home');
  await page.click('.list-row[data-number="1"]');
  await until(async () => ((await page.textContent('.layer > summary')) ?? '').startsWith('Frame 1:'));
  // As a held key repeats: the detail pane may wait for the keys to stop, then shows the last one.
  for (const key of ['PageDown', 'ArrowDown', 'ArrowDown', 'PageDown', 'ArrowUp', 'ArrowDown', 'ArrowDown']) {
    await page.keyboard.press(key);
    await page.waitForTimeout(30);
  }
  const selected = await page.textContent('.list-row.selected .col-number');
  assert.ok(Number(selected) > 20, `paged down to packet ${String(selected)}`);
  await until(async () => ((await page.textContent('.layer > summary')) ?? '').startsWith(`Frame ${String(selected)}:`));
  assert.equal(await page.$$eval('.hex-line', (l) => l[0]?.textContent?.slice(0, 6)), '0000  ');
  await page.close();
});

test('selecting a packet pauses Follow; End resumes it', async () => {
  const page = await loaded(1280, true);
  assert.equal(await page.getAttribute('#follow-button', 'aria-pressed'), 'true');
  await page.click('.list-row:not([hidden])');
  assert.equal(await page.getAttribute('#follow-button', 'aria-pressed'), 'false');
  const selected = await page.textContent('.list-row.selected .col-number');
  await sendFrames(page, frames.slice(0, 5));
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '65 packets');
  assert.ok((await visibleRows(page)).some((r) => r[0] === selected), 'the selected row stays in view');
  await page.focus('.list-scroller');
  await page.keyboard.press('End');
  assert.equal(await page.getAttribute('#follow-button', 'aria-pressed'), 'true');
  assert.equal((await visibleRows(page)).at(-1)?.[0], '65');
  await page.close();
});

test('columns resize by their header edge, hide from the header menu, and come back', async () => {
  const page = await loaded(1280);
  const source = await box(page, '.list-header .col-source');
  const edge = await box(page, '.list-header .col-source .col-resizer');
  await page.mouse.move(edge.left + 2, edge.top + 5);
  await page.mouse.down();
  await page.mouse.move(edge.left + 62, edge.top + 5, { steps: 4 });
  await page.mouse.up();
  const wider = await box(page, '.list-header .col-source');
  assert.ok(Math.abs(wider.right - wider.left - (source.right - source.left) - 60) <= 3, `Source ${source.right - source.left} -> ${wider.right - wider.left}`);
  const cell = await box(page, '.list-row:not([hidden]) .col-source');
  assert.ok(Math.abs(cell.right - wider.right) <= 1, 'the rows follow the header');

  const hide = contextActionMessage('hideColumn', await vscodeContextAt(page, '.list-header .col-direction'));
  assert.ok(hide);
  await send(page, hide);
  await until(async () => !(await page.isVisible('.list-header .col-direction')));
  assert.equal(await page.isVisible('.list-row:not([hidden]) .col-direction'), false);
  const info = await box(page, '.list-header .col-info');
  const infoCell = await box(page, '.list-row:not([hidden]) .col-info');
  assert.ok(Math.abs(info.left - infoCell.left) <= 1, 'Info still lines up');
  await page.screenshot({ path: join(ARTIFACTS, 'inspector-column-hidden.png') });
  const showAll = contextActionMessage('showAllColumns', await vscodeContextAt(page, '.list-header .col-info'));
  assert.ok(showAll);
  await send(page, showAll);
  await until(async () => page.isVisible('.list-header .col-direction'));
  await page.close();
});
