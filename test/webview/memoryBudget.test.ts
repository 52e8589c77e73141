/**
 * The host's flow control against the real inspector webview in Chromium:
 * the extension host's InspectorConnection (over a CaptureSession fed 60 KB
 * UDP datagrams by the test) posts to the page, and the page's `ack`
 * messages go back to the connection. The webview keeps its copy within the
 * same byte budget as the host and says how many packets it dropped; the host
 * never has more than its window unacknowledged, holds the capture while the
 * page is behind, and every packet reaches the page once, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CaptureEndInfo, CaptureEvents } from '../../src/client/captureClient';
import { frameBatchesOf, type ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { CaptureSession } from '../../src/extension/capture/captureSession';
import { InspectorConnection } from '../../src/extension/inspector/inspectorConnection';
import { ipv4Frame } from '../unit/filterTestFrames';
import { webviewHarness } from './harnessSession';

const harness = webviewHarness();
const KiB = 1024;
const MiB = 1024 * KiB;

/** Posts one host message into the page as VS Code delivers it (frames as a Uint8Array). */
async function deliver(page: Page, message: ToWebviewMessage): Promise<void> {
  const wire = message.type === 'frames' ? { ...message, batch: Buffer.concat(frameBatchesOf(message)).toString('base64') } : message;
  await page.evaluate((m) => {
    const w = globalThis as unknown as { postMessage(data: unknown, origin: string): void; atob(s: string): string };
    const data = m.type === 'frames' ? { ...m, batch: Uint8Array.from(w.atob(m.batch as string), (c) => c.charCodeAt(0)) } : m;
    w.postMessage(data, '*');
  }, wire as { type: string; batch?: string });
}

/** The page's messages to the host posted since `from`. */
async function postedSince(page: Page, from: number): Promise<{ type: string; seq?: number }[]> {
  return page.evaluate((start) => (globalThis as unknown as { __posted: { type: string; seq?: number }[] }).__posted.slice(start), from);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not reached in ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('the page acknowledges what it stored, keeps within the byte budget, and the host never runs ahead by more than its window', async () => {
  const page = await harness.openPage((error) => assert.fail(`page error: ${error.message}`));
  await until(async () => (await postedSince(page, 0)).some((m) => m.type === 'ready'), 'ready');

  const budget = 1 * MiB;
  const window = 2 * MiB;
  const flow: string[] = [];
  const session = new CaptureSession({ id: 'c0ffee', name: 'web' }, { maxPackets: 1_000_000, maxBytes: budget }, () => undefined);
  let events!: CaptureEvents;
  await session.start(async (e) => {
    events = e;
    return { stop: async () => e.ended({ reason: 'stopped' }), finished: new Promise<CaptureEndInfo>(() => undefined), channelDirectory: '/nonexistent', pause: () => flow.push('pause'), resume: () => flow.push('resume') };
  });
  events.started({ interfaces: ['eth0'], commands: [], helperPid: 1, tcpdumpPids: [], uid: 65534, gid: 65534 });

  // The host's posts reach the page in order, one after the other, as postMessage does.
  let delivery = Promise.resolve();
  let maxInFlight = 0;
  const connection = new InspectorConnection(
    session,
    {
      post: (m) => {
        delivery = delivery.then(() => deliver(page, m));
      },
      hostnames: () => ({}),
      save: async () => undefined,
      log: (_level, m) => assert.fail(`host log: ${m}`),
    },
    10,
    { inFlightBytes: window },
  );
  // The page's acks go back to the connection, as onDidReceiveMessage would deliver them.
  let read = 0;
  let acks = 0;
  let pumping = true;
  const pump = (async () => {
    while (pumping) {
      const messages = await postedSince(page, read);
      read += messages.length;
      for (const m of messages) {
        if (m.type !== 'ack') continue;
        acks++;
        await connection.handle(m);
      }
      maxInFlight = Math.max(maxInFlight, connection.bytesInFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await connection.handle({ type: 'ready' });

  // 100 UDP datagrams of 60 KB, the way the helper delivers them: batches of 4 (~240 KB).
  const total = 100;
  const payload = new Uint8Array(60_000).fill(0x61);
  for (let n = 1; n <= total; n += 4) {
    const w = new FrameBatchWriter();
    for (let k = n; k < n + 4 && k <= total; k++) {
      w.add(ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort: 40000 + k, dstPort: 9999, payload, tsSec: 1_700_000_000 + k }));
    }
    events.frames(w.take(), 4);
    maxInFlight = Math.max(maxInFlight, connection.bytesInFlight);
  }

  await until(async () => (await page.textContent('[data-counter="packets"]')) === '100 packets', 'the page counts every packet');
  await until(async () => connection.bytesInFlight === 0 && connection.bytesWaiting === 0, 'every batch acknowledged');
  pumping = false;
  await pump;

  assert.ok(maxInFlight <= window, `${maxInFlight} bytes were unacknowledged`);
  assert.ok(acks >= (total * 60_000) / MiB, `${acks} acks`);
  assert.equal(flow[0], 'pause', 'the capture was held while the page was behind');
  assert.equal(flow[flow.length - 1], 'resume', 'and let go once it caught up');
  assert.equal(session.sourcePaused, false);
  events.ended({ reason: 'stopped' });
  await until(async () => /Capture ended: stopped/.test((await page.textContent('#status-line')) ?? ''), 'the end is shown');
  // 1 MiB of 60,042-byte frames: the newest 17 are held, in the webview as in the host.
  const held = Math.floor(budget / 60_042);
  assert.equal(session.store.size, held, 'host');
  assert.equal(await page.textContent('[data-counter="droppedFromMemory"]'), `${total - held} dropped from memory`);
  // The newest packet is the last row, numbered as the host numbers it.
  const lastNumber = await page.$$eval('.list-row:not([hidden]) .col-number', (cells) => cells.map((c) => Number(c.textContent)).reduce((a, b) => Math.max(a, b), 0));
  assert.equal(lastNumber, total);
  connection.dispose();
  session.dispose();
  await page.close();
});

test('a full spool shows as a counter and in the status line', async () => {
  const page = await harness.openPage((error) => assert.fail(`page error: ${error.message}`));
  await until(async () => (await postedSince(page, 0)).some((m) => m.type === 'ready'), 'ready');
  await deliver(page, {
    type: 'init',
    title: 'web',
    live: true,
    hostnames: {},
    maxPackets: 1000,
    maxBytes: MiB,
    status: { state: 'capturing', spoolCapped: { packets: 1234, bytes: 64 * MiB }, message: 'the spool on disk is full (64 MB): Save as pcap saves the first 1,234 packets; later ones are kept in memory only' },
  });
  await until(async () => (await page.textContent('[data-counter="spoolCapped"]')) === 'spool full at 1,234 packets', 'the spool counter');
  assert.equal(await page.isVisible('[data-counter="spoolCapped"]'), true);
  assert.match(await page.textContent('#status-line') ?? '', /spool on disk is full \(64 MB\)/);
  await page.close();
});
