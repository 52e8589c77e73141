/**
 * The Service Map in real Chromium on a real capture (test/fixtures/docker-bridge.pcap:
 * two containers on a Docker bridge, one fetching a page from the other, pinging it over
 * IPv4 and IPv6): the endpoints by container name, the services as labelled arrows, a click
 * or Enter filtering the list, and the map growing as a live capture's packets arrive.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { ARTIFACTS, webviewHarness } from './harnessSession';
import { openInspector, pickFromMenu, send, sendFrames, until, visibleRows } from './inspectorPage';

const harness = webviewHarness();
const FRAMES: CapturedFrame[] = readPcapFile(readFileSync(join(__dirname, '..', 'fixtures', 'docker-bridge.pcap'))).records.map((r) => ({
  tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'eth0', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data,
}));
const HOSTNAMES = { '172.30.99.10': 'web', '172.30.99.11': 'client' };

async function inspector(live: boolean): Promise<Page> {
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'web', live, hostnames: HOSTNAMES, maxPackets: 1000, status: { state: live ? 'capturing' : 'file' } });
  return page;
}

/** From the Command Palette (`paletteAction`) or, `viaMenu`, from a row's context menu as VS Code relays it. */
async function openMap(page: Page, viaMenu = false): Promise<void> {
  if (viaMenu) {
    await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'showServiceMap');
  } else {
    await send(page, { type: 'paletteAction', action: 'showServiceMap' });
  }
  await page.waitForSelector('#service-map .map-node');
}

const nodeNames = (page: Page): Promise<string[]> => page.$$eval('#service-map .map-node .map-node-label', (t) => t.map((e) => e.textContent ?? '').sort());
const edgeLabels = (page: Page): Promise<string[]> => page.$$eval('#service-map .map-edge .map-edge-label', (t) => t.map((e) => Array.from(e.childNodes, (c) => (c as { textContent: string | null }).textContent ?? '').join(' | ')).sort());

test('the map shows the containers by name and each service as a labelled arrow; a click on an arrow filters the list to it', async () => {
  const page = await inspector(false);
  await sendFrames(page, FRAMES);
  await until(async () => (await visibleRows(page)).length > 0);
  await openMap(page);
  assert.deepEqual(await nodeNames(page), ['client', 'fd00:dc::10', 'fd00:dc::11', 'web'], 'hosts only: multicast groups and the hosts that only talk to them are hidden');
  assert.deepEqual(await edgeLabels(page), ['HTTP tcp/80 | 12 pkts · 1.1 KiB', 'icmp | 2 pkts · 196 B', 'icmpv6 | 3 pkts · 322 B']);
  assert.match(await page.textContent('#service-map-summary') ?? '', /^4 endpoints, 3 services; 11 addresses hidden \(multicast and broadcast groups, and hosts that only talk to them\)\./);
  const http = await page.$eval('#service-map .map-edge[data-filter*="tcp.port"]', (g) => g.getAttribute('aria-label'));
  assert.equal(http, 'client → web, HTTP tcp/80: 12 packets, 1.1 KiB, 1 conversations. Show its packets');
  // The arrow points at the server: its path ends at web's circle.
  await page.screenshot({ path: join(ARTIFACTS, 'service-map.png') });

  await page.check('#service-map-groups');
  assert.ok((await nodeNames(page)).includes('ff02::16'), 'multicast groups on request');
  await page.uncheck('#service-map-groups');

  await page.click('#service-map .map-edge[data-filter*="tcp.port"] .map-edge-label');
  await until(async () => (await visibleRows(page)).length === 12);
  assert.equal(await page.inputValue('#filter-input'), 'ip.addr == 172.30.99.11 && ip.addr == 172.30.99.10 && tcp.port == 80');
  assert.equal(await page.$('#service-map-view'), null, 'the map closed on the way to the packets');
});

test('keyboard: Tab reaches the nodes and arrows, Enter on a node filters to its packets, Escape closes', async () => {
  const page = await inspector(false);
  await sendFrames(page, FRAMES);
  await until(async () => (await visibleRows(page)).length > 0);
  await openMap(page);
  const focusedLabel = (): Promise<string> => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label') ?? '');
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = (await focusedLabel()).startsWith('web (172.30.99.10)');
  }
  assert.ok(reached, 'Tab reaches the web node');
  await page.keyboard.press('Enter');
  await until(async () => (await visibleRows(page)).length === 14);
  assert.equal(await page.inputValue('#filter-input'), 'ip.addr == 172.30.99.10');

  await openMap(page);
  await page.focus('#service-map .map-node');
  await page.keyboard.press('Escape');
  await until(async () => (await page.$('#service-map-view')) === null);
});

test('live: the open map grows as the capture\'s packets arrive', async () => {
  const page = await inspector(true);
  // The ping first: the map opens on two containers and one arrow.
  await sendFrames(page, FRAMES.slice(14, 18));
  await until(async () => (await visibleRows(page)).length === 4);
  await openMap(page, true);
  assert.deepEqual(await nodeNames(page), ['client', 'web']);
  assert.deepEqual(await edgeLabels(page), ['icmp | 2 pkts · 196 B']);
  await sendFrames(page, FRAMES.slice(18));
  await until(async () => (await edgeLabels(page)).length === 3);
  assert.deepEqual(await edgeLabels(page), ['HTTP tcp/80 | 12 pkts · 1.1 KiB', 'icmp | 2 pkts · 196 B', 'icmpv6 | 3 pkts · 322 B']);
  assert.ok(await page.$('#service-map-view'), 'still open');
});
