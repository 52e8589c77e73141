/**
 * Follow TCP Stream, Conversations and the HTTP/DNS exchanges view in real Chromium on
 * a real capture (test/fixtures/loopback-http.pcap and loopback-dns.pcap): picked from
 * the row's context menu as VS Code relays it, they show what the capture holds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { webviewHarness } from './harnessSession';
import { openInspector, pickFromMenu, send, sendFrames, until, visibleRows } from './inspectorPage';
import { ipv4Frame } from '../unit/filterTestFrames';
import { PSH_ACK, RawPcapRecords, SYN, SYN_ACK, tcpFrame } from '../support/rawTcpFrames';

const harness = webviewHarness();
const FIXTURES = join(__dirname, '..', 'fixtures');

function framesOf(file: string): CapturedFrame[] {
  return readPcapFile(readFileSync(join(FIXTURES, file))).records.map((r) => ({
    tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'lo', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data,
  }));
}

const FRAMES = [...framesOf('loopback-http.pcap'), ...framesOf('loopback-dns.pcap')];

async function loaded(): Promise<Page> {
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'web', live: false, hostnames: { '127.0.0.1': 'web' }, maxPackets: 1000, status: { state: 'file' } });
  await sendFrames(page, FRAMES);
  await until(async () => (await visibleRows(page)).length > 0);
  return page;
}

test('right-click a packet, Follow TCP Stream: request and response together in two colours; hex; Save Raw; filter', async () => {
  const page = await loaded();
  await pickFromMenu(page, '.list-row[data-number="6"] .col-info', 'followTcpStream');
  await page.waitForSelector('#follow-view');
  const chunks = await page.$$eval('#follow-content pre', (pres) => pres.map((p) => [p.className, p.textContent ?? '']));
  assert.equal(chunks.length, 2, 'one block per turn: the request, then the response');
  assert.match(chunks[0]?.[0] ?? '', /follow-side-a/);
  assert.match(chunks[0]?.[1] ?? '', /^GET \/index\.html HTTP\/1\.1\r?\nHost: 127\.0\.0\.1:8080/);
  assert.match(chunks[1]?.[0] ?? '', /follow-side-b/);
  assert.match(chunks[1]?.[1] ?? '', /^HTTP\/1\.1 200 OK[\s\S]*\n\r?\nhello from dnc\n$/);
  const colours = await page.$$eval('#follow-content pre', (pres) => pres.map((p) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(p).color));
  assert.notEqual(colours[0], colours[1], 'client and server in two colours');

  await page.selectOption('#follow-mode', 'hex');
  assert.match(await page.textContent('#follow-content pre') ?? '', /^0000 {2}47 45 54 20 2f 69 6e 64/i, 'the hex dump of the request');

  await page.click('#follow-save');
  const saved = await page.evaluate(() => {
    const posted = (globalThis as unknown as { __posted: { type: string; name?: string; bytes?: Uint8Array }[] }).__posted;
    const last = posted.filter((m) => m.type === 'saveBytes').at(-1);
    return last ? { name: last.name, text: new TextDecoder('latin1').decode(last.bytes) } : undefined;
  });
  assert.equal(saved?.name, 'tcp-stream-0.bin');
  assert.ok(saved?.text.startsWith('GET /index.html') && saved.text.endsWith('hello from dnc\n'), 'Save Raw gives the whole conversation\'s bytes');

  await page.click('#follow-filter');
  await until(async () => (await visibleRows(page)).length === 12);
  assert.equal(await page.inputValue('#filter-input'), 'tcp.stream == 0');
  assert.equal(await page.$('#follow-view'), null, 'the view closed on the way to the packets');
});

test('Follow UDP Stream on a DNS packet; Follow TCP Stream on it says why nothing opens', async () => {
  const page = await loaded();
  await pickFromMenu(page, '.list-row[data-number="13"] .col-info', 'followTcpStream');
  await until(async () => (await page.textContent('body'))?.includes('Packet 13 is not TCP') ?? false);
  assert.equal(await page.$('#follow-view'), null);
  await pickFromMenu(page, '.list-row[data-number="13"] .col-info', 'followUdpStream');
  await page.waitForSelector('#follow-view');
  assert.match(await page.textContent('.overlay-title') ?? '', /Follow UDP Stream \(udp\.stream eq 0\)/);
  assert.equal(await page.$$eval('#follow-content pre', (p) => p.length), 8, 'each query and answer, in turn');
});

test('Conversations: a sortable table; a click shows the conversation\'s packets', async () => {
  const page = await loaded();
  await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'showConversations');
  await page.waitForSelector('#conversations-table');
  const rows = await page.$$eval('#conversations-table tr.conversation-row', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => (td as { textContent: string | null }).textContent ?? '')));
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[10]]), [
    ['TCP', '0', 'web:53914', 'web:8080', '12', 'FIN'],
    ['UDP', '0', 'web:40053', 'web:53', '8', 'UDP'],
  ]);
  await page.click('#conversations-table th:nth-child(5)');
  await page.click('#conversations-table th:nth-child(5)');
  assert.equal(await page.textContent('#conversations-table tr.conversation-row td'), 'TCP', 'sorted by packets, most first');
  await page.locator('#conversations-table tr.conversation-row').nth(1).click();
  await until(async () => (await visibleRows(page)).length === 8);
  assert.equal(await page.inputValue('#filter-input'), 'udp.stream == 0');
});

test('Conversations of a scan: only the rows in view are drawn, and scrolling draws the rest in order', async () => {
  const page = await openInspector(harness);
  const conversations = 3000;
  await send(page, { type: 'init', title: 'scan', live: false, hostnames: {}, maxPackets: 10_000, status: { state: 'file' } });
  // Conversation i: 10.1.x.y (i in its last two bytes):20000 + i % 1000 -> 10.2.0.1:53.
  const scan = Array.from({ length: conversations }, (_, i) => ipv4Frame({
    src: `10.1.${i >> 8}.${i & 0xff}`, dst: '10.2.0.1', transport: 'udp', srcPort: 20_000 + (i % 1000), dstPort: 53,
    payload: new Uint8Array([1, 2, 3, 4]), tsSec: 1_700_000_000, tsUsec: i, interfaceName: 'eth0', direction: 'out',
  }));
  await sendFrames(page, scan, 500);
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '3,000 packets');
  await pickFromMenu(page, '.list-row:not([hidden]) .col-info', 'showConversations');
  await page.waitForSelector('#conversations-table tr.conversation-row');
  assert.equal(await page.textContent('#conversations-view .overlay-title'), 'Conversations (3,000)');
  assert.match(await page.textContent('#conversations-more') ?? '', /Showing the first 2,000 of 3,000/);
  const streamsDrawn = (): Promise<number[]> => page.$$eval('#conversations-table tr.conversation-row', (trs) => trs.map((tr) => Number(tr.children[1]?.textContent)));
  const top = await streamsDrawn();
  assert.ok(top.length > 10 && top.length < 120, `a window of rows is drawn, not 2,000 (${top.length})`);
  assert.deepEqual(top, top.map((_, i) => i), 'from stream 0 on, in order');
  const height = await page.$eval('#conversations-view .overlay-body', (b) => b.scrollHeight);
  const rowHeight = await page.$eval('#conversations-table tr.conversation-row', (r) => r.getBoundingClientRect().height);
  assert.ok(height >= 2000 * rowHeight, `the scrollbar spans all 2,000 rows (${height} px for rows of ${rowHeight} px)`);

  await page.$eval('#conversations-view .overlay-body', (b) => { b.scrollTop = b.scrollHeight; });
  await until(async () => (await streamsDrawn()).at(-1) === 1999);
  const bottom = await streamsDrawn();
  assert.ok(bottom.length < 120, `still a window (${bottom.length} rows)`);
  assert.deepEqual(bottom, bottom.map((_, i) => 2000 - bottom.length + i), 'the last rows of the order, contiguous');
  const lastRow = page.locator('#conversations-table tr.conversation-row').last();
  assert.equal(await lastRow.locator('td').nth(2).textContent(), '10.1.7.207:20999', 'the 2,000th conversation (10.1.7.207 is 1999)');
  assert.ok(await lastRow.isVisible(), 'the last row is on screen at the bottom');

  // Sorted by Stream, descending: the window starts over at the top, in the new order.
  await page.click('#conversations-table th:nth-child(2)');
  await until(async () => (await page.$eval('#conversations-view .overlay-body', (b) => b.scrollTop)) === 0);
  assert.deepEqual((await streamsDrawn()).slice(0, 3), [2999, 2998, 2997]);
  assert.equal(await page.textContent('#conversations-table tr.conversation-row td:nth-child(3)'), '10.1.11.183:20999', 'stream 2,999 is 10.1.11.183');
  await page.locator('#conversations-table tr.conversation-row').nth(2).click();
  await until(async () => (await page.inputValue('#filter-input')) === 'udp.stream == 2997');
});

test('Follow TCP Stream of a large response: drawn in blocks that read as the one stream; Save Raw gives every byte', async () => {
  const client = [10, 9, 0, 1];
  const server = [10, 7, 0, 2];
  const segment = 60_000;
  const records = new RawPcapRecords();
  records.write(tcpFrame(client, 40_000, server, 80, 100, 0, SYN, 0));
  records.write(tcpFrame(server, 80, client, 40_000, 900, 101, SYN_ACK, 0));
  records.write(tcpFrame(client, 40_000, server, 80, 101, 901, PSH_ACK, 100));
  for (let k = 0; k < 3; k++) records.write(tcpFrame(server, 80, client, 40_000, 901 + k * segment, 201, PSH_ACK, segment));
  const page = await openInspector(harness);
  await send(page, { type: 'init', title: 'transfer', live: false, hostnames: {}, maxPackets: 1000, status: { state: 'file' } });
  await sendFrames(page, records.frames);
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '6 packets');
  await pickFromMenu(page, '.list-row:not([hidden]) .col-info', 'followTcpStream');
  await page.waitForSelector('#follow-view');
  const blocks = await page.$$eval('#follow-content pre', (pres) => pres.map((p) => [p.className, p.textContent ?? '']));
  assert.ok(blocks.length >= 4, `the 180,000-byte response in several blocks (${blocks.length} in all)`);
  assert.equal(blocks.filter(([c]) => /follow-side-a/.test(c ?? '')).map(([, t]) => t).join(''), 'a'.repeat(100));
  assert.equal(blocks.filter(([c]) => /follow-side-b/.test(c ?? '')).map(([, t]) => t).join(''), 'a'.repeat(3 * segment), 'the blocks read as the whole response');
  assert.deepEqual(blocks.map(([c]) => /follow-large/.test(c ?? '')), blocks.map(([, t]) => (t ?? '').length >= 16 * 1024), 'only large blocks are laid out lazily');
  assert.equal(blocks.filter(([c]) => /follow-large/.test(c ?? '')).length, blocks.length - 1, 'all but the 100-byte request');
  await page.click('#follow-save');
  const saved = await page.evaluate(() => {
    const posted = (globalThis as unknown as { __posted: { type: string; bytes?: Uint8Array }[] }).__posted;
    return posted.filter((m) => m.type === 'saveBytes').at(-1)?.bytes?.length;
  });
  assert.equal(saved, 100 + 3 * segment);
});

test('HTTP and DNS exchanges: request paired with its response, headers and body on selection', async () => {
  const page = await loaded();
  await pickFromMenu(page, '.list-row[data-number="1"] .col-info', 'showExchanges');
  await page.waitForSelector('#http-table');
  const http = await page.$$eval('#http-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => (td as { textContent: string | null }).textContent ?? '')));
  assert.deepEqual(http.map((r) => [r[0], r[1], r[2]]), [['GET', '127.0.0.1:8080/index.html', '200']]);
  await page.click('#http-table tbody tr');
  const details = await page.textContent('#exchange-details') ?? '';
  assert.match(details, /User-Agent: Wget/);
  assert.match(details, /Content-Length: 15/);
  assert.match(details, /hello from dnc/);
  const dns = await page.$$eval('#dns-table tbody tr', (trs) => trs.map((tr) => tr.querySelector('td:nth-child(3)')?.textContent ?? ''));
  assert.equal(dns.length, 4);
});
