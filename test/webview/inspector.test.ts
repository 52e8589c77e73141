/**
 * The packet inspector in real Chromium: the bundle VS Code loads, in a page
 * with the same CSP, fed the messages the extension host sends. Asserts what a
 * user sees (rows, detail, hexdump, filter results and errors) and what the
 * host receives (save, stop, clear).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import type { ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { arpFrame, dnsQuery, ipv4Frame, ipv6UdpFrame } from '../unit/filterTestFrames';
import { ARTIFACTS, webviewHarness } from './harnessSession';

const harness = webviewHarness();
const artifacts = ARTIFACTS;
const hostnames = { '172.17.0.2': 'client', '172.17.0.3': 'web' };


/** Eight distinct packets, then `filler` more UDP packets 172.17.0.2 -> 172.17.0.3:9999. */
function sampleFrames(filler: number): CapturedFrame[] {
  const t = 1_700_000_000;
  const frames = [
    ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80, payload: 'GET / HTTP/1.1\r\nHost: web\r\n\r\n', tsSec: t, tsUsec: 0 }),
    ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'tcp', srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 200 OK\r\n\r\nhello', direction: 'in', tsSec: t, tsUsec: 1500 }),
    ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.10', transport: 'udp', srcPort: 5353, dstPort: 53, payload: dnsQuery('web.test'), tsSec: t, tsUsec: 250_000 }),
    ipv4Frame({ src: '127.0.0.1', dst: '127.0.0.1', transport: 'udp', srcPort: 9000, dstPort: 9001, payload: 'ping', interfaceName: 'lo', tsSec: t + 1 }),
    ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'icmp', direction: 'in', tsSec: t + 1 }),
    arpFrame('172.17.0.2', '172.17.0.1', { tsSec: t + 1 }),
    ipv6UdpFrame({ src: 'fd00::2', dst: 'fd00::3', transport: 'udp', srcPort: 7000, dstPort: 7001, payload: 'v6data', tsSec: t + 2 }),
    ipv4Frame({ src: '10.0.0.5', dst: '172.17.0.2', transport: 'tcp', srcPort: 1234, dstPort: 22, direction: 'in', tsSec: t + 2 }),
  ];
  for (let i = 0; i < filler; i++) {
    frames.push(ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort: 20000 + i, dstPort: 9999, payload: `filler ${i}`, tsSec: t + 3 + Math.floor(i / 100), tsUsec: (i % 100) * 10_000 }));
  }
  return frames;
}

function initMessage(maxPackets: number, live = true): ToWebviewMessage {
  return { type: 'init', title: 'web', container: { id: 'c0ffee', name: 'web' }, live, hostnames, maxPackets, status: { state: live ? 'capturing' : 'file' } };
}

async function send(page: Page, message: ToWebviewMessage): Promise<void> {
  // Binary batches cross into the page as plain arrays and become Uint8Array there, as postMessage delivers them.
  const wire = message.type === 'frames' ? { type: 'frames', batch: [...message.batch] } : message;
  await page.evaluate((m) => {
    const w = globalThis as unknown as { postMessage(data: unknown, origin: string): void };
    const data = m.type === 'frames' ? { type: 'frames', batch: Uint8Array.from(m.batch as number[]) } : m;
    w.postMessage(data, '*');
  }, wire as { type: string; batch?: number[] });
}

async function sendFrames(page: Page, frames: CapturedFrame[], perBatch = 200): Promise<void> {
  for (let i = 0; i < frames.length; i += perBatch) {
    const writer = new FrameBatchWriter();
    for (const frame of frames.slice(i, i + perBatch)) writer.add(frame);
    await send(page, { type: 'frames', batch: writer.take() });
  }
}

interface PostedMessage {
  type: string;
  format?: string;
  packetNumbers?: number[];
  packetNumbersType?: string;
  message?: string;
}

async function posted(page: Page): Promise<PostedMessage[]> {
  return page.evaluate(() => {
    const list = (globalThis as unknown as { __posted: Record<string, unknown>[] }).__posted;
    return list.map((m) => {
      const numbers = m.packetNumbers as ArrayLike<number> | undefined;
      return { ...m, packetNumbers: numbers ? Array.from(numbers) : undefined, packetNumbersType: numbers ? Object.prototype.toString.call(numbers) : undefined } as never;
    });
  });
}

/** Rows in the DOM that show a packet: [No., Time, Dir, Interface, Source, Destination, Protocol, Length, Info]. */
async function visibleRows(page: Page): Promise<string[][]> {
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

async function openInspector(): Promise<Page> {
  const page = await harness.openPage((error) => assert.fail(`page error: ${error.message}`));
  await page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return page;
}

/** Polls a condition the page reaches asynchronously (string predicates would need eval, which the CSP forbids). */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`condition not reached in ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function savedState(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('inspector-harness-state') ?? '');
}

async function setFilter(page: Page, text: string): Promise<void> {
  await page.fill('#filter-input', text);
  // Applied as you type after ~100 ms; wait for the result to be rendered.
  await page.waitForTimeout(250);
}

test('shows streamed packets, follows them, and virtualizes the list', async () => {
  const page = await openInspector();
  await send(page, initMessage(10_000));
  await sendFrames(page, sampleFrames(992));
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '1,000 packets');

  const rows = await visibleRows(page);
  // Following: the newest packet is in view; far fewer rows than packets exist in the DOM.
  assert.equal(rows.at(-1)?.[0], '1000');
  assert.ok(rows.length < 80, `${rows.length} rows in the DOM for 1000 packets`);
  assert.equal(await page.getAttribute('.packet-list', 'aria-rowcount'), '1001');
  assert.equal(await page.getAttribute('#follow-button', 'aria-pressed'), 'true');

  await page.focus('.list-scroller');
  await page.keyboard.press('Home');
  await page.waitForTimeout(50);
  const top = await visibleRows(page);
  assert.deepEqual(top[0]?.slice(0, 8), ['1', '0.000000', 'OUT', 'eth0', 'client', 'web', 'HTTP', '83']);
  assert.deepEqual(top[1]?.slice(0, 8), ['2', '0.001500', 'IN', 'eth0', 'web', 'client', 'HTTP', '78']);
  assert.deepEqual(top[2]?.slice(0, 6), ['3', '0.250000', 'OUT', 'eth0', 'client', '172.17.0.10']);
  assert.deepEqual(top[3]?.slice(0, 4), ['4', '1.000000', 'OUT', 'lo']);
  // Container names with the address on hover.
  assert.equal(await page.getAttribute('.list-row.selected .col-source', 'title'), '172.17.0.2 (client)');
  assert.equal(await page.getAttribute('.list-row.selected', 'aria-selected'), 'true');
  // Scrolling away paused following.
  assert.equal(await page.getAttribute('#follow-button', 'aria-pressed'), 'false');
  await page.screenshot({ path: join(artifacts, 'inspector-list.png') });

  // New packets keep arriving without pulling the view down.
  await sendFrames(page, sampleFrames(0).slice(0, 2));
  await page.waitForTimeout(100);
  assert.equal((await visibleRows(page))[0]?.[0], '1');

  await page.keyboard.press('End');
  await page.waitForTimeout(50);
  assert.equal((await visibleRows(page)).at(-1)?.[0], '1002');
  assert.equal(await page.textContent('.list-row.selected .col-number'), '1002');
  await page.close();
});

test('the selected packet shows its layers and hexdump; a field highlights its bytes', async () => {
  const page = await openInspector();
  await send(page, initMessage(1000));
  await sendFrames(page, sampleFrames(0));
  await until(async () => (await visibleRows(page)).length === 8);
  await page.click('.list-row[data-number="1"]');
  await page.waitForSelector('.layer');
  const layers = await page.$$eval('.layer > summary', (s) => s.map((e) => e.textContent));
  assert.equal(layers[0], 'Frame 1: 83 bytes on wire, 83 bytes captured');

  const hexLines = await page.$$eval('.hex-line', (lines) => lines.map((l) => l.textContent));
  assert.equal(hexLines.length, 6);
  assert.equal(hexLines[0], '0000  02 42 AC 11 00 03 02 42  AC 11 00 02 08 00 45 00  .B.....B......E.');
  assert.equal(hexLines[3], '0030  FF FF 00 00 00 00 47 45  54 20 2F 20 48 54 54 50  ......GET / HTTP');
  // The short last line keeps the ASCII column aligned.
  assert.equal(hexLines[5], `${'0050  0A 0D 0A'.padEnd(6 + 48)}  ...`);

  // Keyboard: Down moves to packet 2 and the detail follows.
  await page.keyboard.press('ArrowDown');
  await until(async () => ((await page.textContent('.layer > summary')) ?? '').startsWith('Frame 2:'));
  assert.equal(await page.textContent('.list-row.selected .col-number'), '2');
  await page.keyboard.press('ArrowUp');
  await until(async () => ((await page.textContent('.layer > summary')) ?? '').startsWith('Frame 1:'));

  // A field with a byte range highlights exactly those bytes in both columns.
  const fields = await page.$$eval('.field', (items) => items.map((f) => ({ text: f.textContent ?? '', title: f.getAttribute('title') ?? '' })));
  const ranged = fields.findIndex((f) => /^bytes (\d+)-(\d+)$/.test(f.title) && !f.text.startsWith('Frame length') && !f.text.startsWith('Capture length'));
  const target = ranged >= 0 ? ranged : fields.findIndex((f) => f.text.startsWith('Capture length'));
  const [, from, to] = /^bytes (\d+)-(\d+)$/.exec(fields[target]?.title ?? '') ?? [];
  await page.locator('.field').nth(target).click();
  const highlighted = await page.$$eval('.hex-bytes .byte.highlight', (b) => b.length);
  const highlightedAscii = await page.$$eval('.hex-ascii .byte.highlight', (b) => b.length);
  const expected = Number(to) - Number(from) + 1;
  assert.ok(expected > 0);
  assert.equal(highlighted, expected);
  assert.equal(highlightedAscii, expected);
  await page.screenshot({ path: join(artifacts, 'inspector-detail.png') });

  // Folding a layer hides its fields.
  await page.click('.layer > summary');
  assert.equal(await page.locator('.layer').first().evaluate((d) => (d as unknown as { open: boolean }).open), false);
  await page.close();
});

test('the display filter narrows the list, reports errors with a column and keeps the last result', async () => {
  const page = await openInspector();
  await send(page, initMessage(1000));
  await sendFrames(page, sampleFrames(40));
  await until(async () => (await visibleRows(page)).length > 8);

  await setFilter(page, 'port == 80');
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['1', '2']);
  assert.equal(await page.textContent('[data-counter="shown"]'), '2 shown');

  await setFilter(page, 'ip.addr == ');
  assert.equal(await page.isVisible('#filter-error'), true);
  assert.equal(await page.textContent('#filter-error'), "expected a value after '==' at column 9");
  assert.equal(await page.getAttribute('#filter-input', 'aria-invalid'), 'true');
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['1', '2']);
  await page.screenshot({ path: join(artifacts, 'inspector-filter-error.png') });

  await setFilter(page, 'host == web and not udp');
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['1', '2', '5']);
  assert.equal(await page.isVisible('#filter-error'), false);

  await setFilter(page, 'contains "filler 3"');
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['12', '39', '40', '41', '42', '43', '44', '45', '46', '47', '48']);

  await setFilter(page, 'in or iface == lo');
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['2', '4', '5', '8']);
  await page.screenshot({ path: join(artifacts, 'inspector-filter.png') });

  // Packets arriving while a filter is on are filtered too.
  await sendFrames(page, [ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'udp', srcPort: 1, dstPort: 2, direction: 'in' })]);
  await page.waitForTimeout(100);
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['2', '4', '5', '8', '49']);

  await setFilter(page, '');
  assert.equal((await visibleRows(page)).length > 5, true);
  assert.equal(await page.isVisible('[data-counter="shown"]'), false);
  await page.close();
});

test('save asks which packets when filtered and posts their numbers; stop and clear reach the host', async () => {
  const page = await openInspector();
  await send(page, initMessage(1000));
  await sendFrames(page, sampleFrames(10));
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '18 packets');

  // No filter: saves everything at once.
  await page.click('#save-pcap-button');
  assert.deepEqual((await posted(page)).filter((m) => m.type === 'save'), [{ type: 'save', format: 'pcap', packetNumbers: undefined, packetNumbersType: undefined }]);

  await setFilter(page, 'tcp');
  await page.click('#save-json-button');
  await page.waitForSelector('.save-choice:not([hidden])');
  assert.equal(await page.textContent('#save-shown'), 'Only 3 shown');
  assert.equal(await page.textContent('#save-all'), 'All packets (18)');
  await page.screenshot({ path: join(artifacts, 'inspector-save-choice.png') });
  await page.click('#save-shown');
  await page.click('#save-json-button');
  await page.click('#save-all');
  const saves = (await posted(page)).filter((m) => m.type === 'save');
  assert.deepEqual(saves.slice(1), [
    { type: 'save', format: 'json', packetNumbers: [1, 2, 8], packetNumbersType: '[object Uint32Array]' },
    { type: 'save', format: 'json', packetNumbers: undefined, packetNumbersType: undefined },
  ]);

  // Stop is offered while capturing, and gone once the capture ended.
  assert.equal(await page.isVisible('#stop-button'), true);
  await page.click('#stop-button');
  assert.equal((await posted(page)).some((m) => m.type === 'stop'), true);
  await send(page, { type: 'status', status: { state: 'ended', message: 'container stopped', kernelDrops: 3 } });
  await until(async () => ((await page.textContent('#status-line')) ?? '').includes('Capture ended'));
  assert.equal(await page.textContent('#status-line'), 'web — Capture ended: container stopped (18 packets)');
  assert.equal(await page.isVisible('#stop-button'), false);
  assert.equal(await page.textContent('[data-counter="kernelDrops"]'), '3 kernel drops');

  await page.click('#clear-button');
  assert.equal((await posted(page)).some((m) => m.type === 'clear'), true);
  await page.waitForTimeout(100);
  assert.equal((await visibleRows(page)).length, 0);
  assert.equal(await page.textContent('[data-counter="packets"]'), '0 packets');
  await page.close();
});

test('past the memory limit the oldest packets go, with a notice, and numbers keep counting', async () => {
  const page = await openInspector();
  await send(page, initMessage(100));
  await sendFrames(page, sampleFrames(142));
  await until(async () => (await page.textContent('[data-counter="packets"]')) === '150 packets');
  assert.equal(await page.textContent('.memory-notice'), '50 older packets dropped (memory limit)');
  await page.focus('.list-scroller');
  await page.keyboard.press('Home');
  await page.waitForTimeout(50);
  assert.equal((await visibleRows(page))[0]?.[0], '51');
  await page.screenshot({ path: join(artifacts, 'inspector-memory-limit.png') });
  await page.close();
});

test('a reload restores the filter and the selection once the host re-sends the packets', async () => {
  const page = await openInspector();
  await send(page, initMessage(1000));
  await sendFrames(page, sampleFrames(0));
  await until(async () => (await visibleRows(page)).length === 8);
  await setFilter(page, 'tcp');
  await page.click('.list-row[data-number="2"]');
  await page.waitForSelector('.list-row.selected[data-number="2"]');
  await until(async () => (await savedState(page)).includes('"selectedNumber":2'));

  await page.reload();
  await page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  await send(page, initMessage(1000));
  await sendFrames(page, sampleFrames(0));
  await until(async () => (await page.$('.list-row.selected')) !== null);
  assert.equal(await page.inputValue('#filter-input'), 'tcp');
  assert.deepEqual((await visibleRows(page)).map((r) => r[0]), ['1', '2', '8']);
  assert.equal(await page.textContent('.list-row.selected .col-number'), '2');
  assert.match((await page.textContent('.layer > summary')) ?? '', /^Frame 2:/);
  const violations = await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations);
  assert.deepEqual(violations, []);
  await page.close();
});
