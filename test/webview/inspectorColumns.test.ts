/**
 * The packet list's columns as a Wireshark user uses them, in real Chromium:
 * a header click sorts (ascending, descending, arrival order), the Time
 * column's format and name resolution are chosen from the header's context
 * menu (the context VS Code would pass, turned into the host's relayed
 * message by the host's own code).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CapturedFrame } from '../../src/core/packet';
import type { InspectorAction } from '../../src/protocol/webviewMessages';
import { ipv4Frame } from '../unit/filterTestFrames';
import { webviewHarness } from './harnessSession';
import { openInspector, pickFromMenu, send, sendFrames, until, visibleRows, vscodeContextAt } from './inspectorPage';

const harness = webviewHarness();
const hostnames = { '172.17.0.2': 'client', '172.17.0.3': 'web' };
const t = 1_700_000_000;
const FRAMES: CapturedFrame[] = [
  ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80, payload: 'GET / HTTP/1.1\r\nHost: web\r\n\r\n', tsSec: t }),
  ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'tcp', srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 200 OK\r\n\r\nhello', direction: 'in', tsSec: t, tsUsec: 1500 }),
  ipv4Frame({ src: '172.17.0.10', dst: '172.17.0.3', transport: 'udp', srcPort: 5353, dstPort: 53, payload: 'x', tsSec: t, tsUsec: 250_000 }),
  ipv4Frame({ src: '172.17.0.9', dst: '172.17.0.3', transport: 'udp', srcPort: 9000, dstPort: 9001, payload: 'a longer payload than the others', tsSec: t + 1 }),
  ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'icmp', direction: 'in', tsSec: t + 3 }),
];

const COL = { number: 0, time: 1, source: 4, length: 7 };
const column = async (page: Page, index: number): Promise<string[]> => (await visibleRows(page)).map((r) => r[index] ?? '');

async function loaded(): Promise<Page> {
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'web', container: { id: 'c0ffee', name: 'web' }, live: false, hostnames, maxPackets: 1000, status: { state: 'file' } });
  await sendFrames(page, FRAMES);
  await until(async () => (await visibleRows(page)).length === FRAMES.length);
  return page;
}

async function headerMenu(page: Page, key: string, action: InspectorAction): Promise<void> {
  await pickFromMenu(page, `.list-header .col-${key}`, action);
}

test('a header click sorts by that column: ascending, descending, then arrival order again', async () => {
  const page = await loaded();
  await page.click('.list-header .col-length');
  await until(async () => (await page.getAttribute('.list-header .col-length', 'aria-sort')) === 'ascending');
  const ascending = (await column(page, COL.length)).map(Number);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b), `lengths ascending: ${ascending.join(' ')}`);
  assert.notDeepEqual(await column(page, COL.number), ['1', '2', '3', '4', '5'], 'the order changed');

  await page.click('.list-header .col-length');
  await until(async () => (await page.getAttribute('.list-header .col-length', 'aria-sort')) === 'descending');
  const descending = (await column(page, COL.length)).map(Number);
  assert.deepEqual(descending, [...ascending].reverse());

  await page.click('.list-header .col-length');
  await until(async () => (await page.getAttribute('.list-header .col-length', 'aria-sort')) === null);
  assert.deepEqual(await column(page, COL.number), ['1', '2', '3', '4', '5']);

  // Source sorts by what it shows: names, and addresses as people read them (.9 before .10).
  await page.click('.list-header .col-source');
  await until(async () => (await page.getAttribute('.list-header .col-source', 'aria-sort')) === 'ascending');
  assert.deepEqual(await column(page, COL.source), ['172.17.0.9', '172.17.0.10', 'client', 'web', 'web']);
  await page.close();
});

test('the Time column\'s format comes from its header menu: since the previous packet, time of day, since the first', async () => {
  const page = await loaded();
  assert.equal((await vscodeContextAt(page, '.list-header .col-time')).timeFormat, 'sinceStart', 'the menu knows the current format');
  assert.deepEqual(await column(page, COL.time), ['0.000000', '0.001500', '0.250000', '1.000000', '3.000000']);
  await headerMenu(page, 'time', 'timeSincePrevious');
  await until(async () => (await column(page, COL.time))[1] === '0.001500' && (await column(page, COL.time))[2] === '0.248500');
  assert.equal((await vscodeContextAt(page, '.list-header .col-time')).timeFormat, 'sincePrevious');
  await headerMenu(page, 'time', 'timeAbsolute');
  await until(async () => /^\d\d:\d\d:\d\d\.250000$/.test((await column(page, COL.time))[2] ?? ''));
  await headerMenu(page, 'time', 'timeSinceStart');
  await until(async () => (await column(page, COL.time))[4] === '3.000000');
  await page.close();
});

test('name resolution toggles between container names and addresses', async () => {
  const page = await loaded();
  assert.equal((await column(page, COL.source))[0], 'client');
  assert.equal((await vscodeContextAt(page, '.list-header .col-source')).resolveNames, true);
  await headerMenu(page, 'source', 'showAddresses');
  await until(async () => (await column(page, COL.source))[0] === '172.17.0.2');
  assert.equal((await vscodeContextAt(page, '.list-header .col-source')).resolveNames, false, 'the menu now offers Show Container Names');
  await headerMenu(page, 'source', 'showNames');
  await until(async () => (await column(page, COL.source))[0] === 'client');
  await page.close();
});
