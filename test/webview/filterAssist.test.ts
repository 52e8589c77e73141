/**
 * The filter box as a Wireshark user meets it in real Chromium: field names
 * completed while typing, recent filters, the list of fields, and an invalid
 * filter that says what the list still shows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ipv4Frame } from '../unit/filterTestFrames';
import { ARTIFACTS, webviewHarness } from './harnessSession';
import { openInspector, send, sendFrames, until, visibleRows } from './inspectorPage';

const harness = webviewHarness();

async function loaded(): Promise<Page> {
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'web', live: false, hostnames: {}, maxPackets: 1000, status: { state: 'file' } });
  await sendFrames(page, [
    ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80, payload: 'GET /a HTTP/1.1\r\n\r\n' }),
    ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'tcp', srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 404 Not Found\r\n\r\n' }),
    ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort: 5000, dstPort: 9999, payload: 'x' }),
  ]);
  await until(async () => (await visibleRows(page)).length === 3);
  return page;
}

const numbers = async (page: Page): Promise<string> => (await visibleRows(page)).map((r) => r[0]).join(',');
const suggestions = (page: Page): Promise<string[]> => page.$$eval('#filter-suggestions:not([hidden]) .suggestion-text', (s) => s.map((e) => e.textContent ?? ''));

test('typing a field name offers the fields that start with it; Tab takes one', async () => {
  const page = await loaded();
  await page.click('#filter-input');
  await page.keyboard.type('http.re');
  await until(async () => (await suggestions(page)).length > 0);
  assert.deepEqual(await suggestions(page), ['http.request', 'http.response', 'http.request.method', 'http.request.uri', 'http.response.code']);
  await page.screenshot({ path: join(ARTIFACTS, 'filter-suggestions.png') });
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#filter-input'), 'http.response.code ');
  await page.keyboard.type('== 404');
  await page.keyboard.press('Enter');
  await until(async () => (await numbers(page)) === '2');
  await page.close();
});

test('a complete name offers no completion and Enter applies it; Tab takes the first completion', async () => {
  const page = await loaded();
  await page.click('#filter-input');
  await page.keyboard.type('udp');
  // A complete name offers nothing (the list would only cover the packets).
  await page.waitForTimeout(100);
  assert.deepEqual(await suggestions(page), []);
  await page.keyboard.press('Enter');
  await until(async () => (await numbers(page)) === '3');
  assert.equal(await page.inputValue('#filter-input'), 'udp');
  await page.keyboard.type(' and udp.p');
  await until(async () => (await suggestions(page)).length > 0);
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#filter-input'), 'udp and udp.port ');
  await page.close();
});

test('an invalid filter shows its error and says the list still shows the previous filter', async () => {
  const page = await loaded();
  await page.fill('#filter-input', 'udp');
  await page.press('#filter-input', 'Enter');
  await until(async () => (await numbers(page)) === '3');
  await page.fill('#filter-input', 'tcp.len >');
  await page.press('#filter-input', 'Enter');
  await until(async () => page.isVisible('#filter-error'));
  assert.equal(await page.textContent('#filter-error'), "expected a value after '>' at column 9");
  assert.equal(await page.textContent('#filter-stale'), 'The list still shows the previous filter: udp');
  assert.equal(await numbers(page), '3');
  await page.screenshot({ path: join(ARTIFACTS, 'filter-stale.png') });
  await page.fill('#filter-input', '');
  await page.press('#filter-input', 'Enter');
  await until(async () => (await numbers(page)) === '1,2,3');
  await page.fill('#filter-input', 'tcp.nope == 1');
  await page.press('#filter-input', 'Enter');
  await until(async () => page.isVisible('#filter-stale'));
  assert.equal(await page.textContent('#filter-stale'), 'The list shows every packet (no filter applied)');
  await page.close();
});

test('Down in the empty box lists recent filters; the ? button lists the fields and inserts one', async () => {
  const page = await loaded();
  for (const filter of ['tcp', 'frame contains "GET"', 'tcp']) {
    await page.fill('#filter-input', filter);
    await page.press('#filter-input', 'Enter');
  }
  await until(async () => (await numbers(page)) === '1,2');
  await page.fill('#filter-input', '');
  await page.press('#filter-input', 'ArrowDown');
  await until(async () => (await suggestions(page)).length > 0);
  assert.deepEqual(await suggestions(page), ['tcp', 'frame contains "GET"']);
  await page.press('#filter-input', 'ArrowDown');
  await page.press('#filter-input', 'Enter');
  await until(async () => (await numbers(page)) === '1');
  assert.equal(await page.inputValue('#filter-input'), 'frame contains "GET"');

  await page.click('#filter-help-button');
  const fields = await page.$$eval('#filter-help .field-insert', (b) => b.map((e) => e.textContent ?? ''));
  for (const name of ['frame', 'tcp.flags.syn', 'http.request.uri', 'dns.qry.name', 'tls.handshake.extensions_server_name', 'eth.addr']) assert.ok(fields.includes(name), name);
  await page.screenshot({ path: join(ARTIFACTS, 'filter-help.png') });
  await page.click('#filter-help .field-insert:text-is("tcp.flags.syn")');
  assert.equal(await page.inputValue('#filter-input'), 'frame contains "GET" and tcp.flags.syn ');
  await page.close();
});
