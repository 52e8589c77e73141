/**
 * A capture file too large to hold, opened in the inspector (issue 12 goal 9):
 * the extension host streams it through the real InspectorConnection only as
 * fast as the webview acknowledges, the webview's store (in its byte-cache mode)
 * lists every packet while keeping only the newest bytes, and the bytes of a
 * far packet come back from the file on request, equal to the file's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { summarize, summarizeColumns, summarizeRow } from '../../src/core/decode/index';
import { PacketStore } from '../../src/core/packetStore';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { frameBatchesOf, type ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { IndexedFileReader } from '../../src/extension/file/indexedFileReader';
import { openStreamedFile } from '../../src/extension/file/openStreamedFile';
import { BIG_FILE_NOTICE, StreamedFileCapture } from '../../src/extension/file/streamedFileCapture';
import { InspectorConnection } from '../../src/extension/inspector/inspectorConnection';
import { generatePcap } from '../../bench/lib/generatePcap';

const dir = mkdtempSync(join(tmpdir(), 'dnc-unit-bigfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const WINDOW = 256 * 1024;
const CACHE = 512 * 1024;

/** The webview's side of the conversation, as inspectorApp does it: store, ack, ask for missing bytes. */
function fakeWebview(connection: () => InspectorConnection) {
  let store: PacketStore | undefined;
  let finished: (() => void) | undefined;
  const done = (): Promise<void> => new Promise<void>((resolve) => (finished = resolve));
  const answers: ToWebviewMessage[] = [];
  let maxBehind = 0;
  const post = (m: ToWebviewMessage): void => {
    maxBehind = Math.max(maxBehind, connection().bytesInFlight + connection().bytesWaiting);
    switch (m.type) {
      case 'init':
        assert.ok(m.bytesOnDemand, 'a big file says its bytes come on demand');
        store = new PacketStore({ maxPackets: m.maxPackets, byteCache: m.bytesOnDemand.cacheBytes, summarize, summarizeColumns, summarizeRow });
        return;
      case 'frames':
        for (const batch of frameBatchesOf(m)) store?.appendBatch(batch);
        // Acknowledged a moment later, as a webview that takes its time to store a batch.
        if (m.seq !== undefined) {
          const seq = m.seq;
          setImmediate(() => void connection().handle({ type: 'ack', seq }));
        }
        return;
      case 'status':
        if (/packets from/.test(m.status.message ?? '')) finished?.();
        if (/packets from/.test(m.status.message ?? '')) finished = undefined;
        return;
      case 'frameBytes':
        answers.push(m);
        for (const p of m.packets) if (p.bytes) store?.putBytes(p.number, p.bytes);
        return;
      default:
        return;
    }
  };
  return { post, done, answers, store: () => store as PacketStore, maxBehind: () => maxBehind };
}

test('a file larger than the webview byte cache: every packet listed, the host paced by acks, a far packet\'s bytes read back from the file', async () => {
  const file = generatePcap(join(dir, 'big.pcap'), 20_000, 7, 'realistic');
  const expected = readPcapFile(readFileSync(file.path)).records;
  assert.equal(expected.length, 20_000);
  assert.ok(file.bytes > 4 * CACHE, 'the file is several times the cache');

  const model = new StreamedFileCapture('big.pcap', await IndexedFileReader.open(file.path, 64 * 1024), () => undefined, CACHE);
  const holder: { connection?: InspectorConnection } = {};
  const webview = fakeWebview(() => holder.connection as InspectorConnection);
  const connection = new InspectorConnection(model, { post: webview.post, hostnames: () => ({}), save: async () => undefined, log: () => undefined }, 5, { inFlightBytes: WINDOW });
  holder.connection = connection;
  try {
    const listed = webview.done();
    await connection.handle({ type: 'ready' });
    await listed;
    const store = webview.store();
    assert.equal(store.size, expected.length);
    assert.equal(store.totalReceived, expected.length);
    assert.match(model.status.message ?? '', new RegExp(`^20,000 packets from big.pcap — ${BIG_FILE_NOTICE}`));
    // Never more than the window plus one read's packets waited or were in flight.
    assert.ok(webview.maxBehind() <= WINDOW + 2 * 64 * 1024 + 4096, `behind at most ${webview.maxBehind()}`);

    // The early packets' bytes were dropped from the cache; the last ones are still there.
    const missing = (rows: number): number => Array.from({ length: rows }, (_, r) => r).filter((r) => !store.hasBytes(r)).length;
    assert.equal(missing(store.size / 2), store.size / 2, 'no packet of the first half has its bytes');
    assert.equal(store.hasBytes(store.size - 1), true);
    assert.deepEqual(store.frameBytes(store.size - 1), expected[expected.length - 1]?.data);
    // A far row shown without its bytes: empty Info, asked for.
    const far = Array.from({ length: store.size }, (_, r) => r).find((r) => r > 100 && !store.hasBytes(r) && !store.hasBytes(r + 1)) ?? -1;
    assert.ok(far > 0);
    assert.equal(store.infoOf(far + 1), '');
    assert.equal(store.frameBytes(far).length, 0);
    const wanted = store.takeWanted();
    assert.deepEqual(wanted, [far + 2, far + 1]);
    await connection.handle({ type: 'frameBytesRequest', numbers: Uint32Array.from(wanted) });
    assert.equal(webview.answers.length, 1);
    assert.deepEqual(store.frameBytes(far), expected[far]?.data);
    assert.deepEqual(store.frameBytes(far + 1), expected[far + 1]?.data);
    const info = store.infoOf(far + 1);
    assert.equal(info, summarize(expected[far + 1]?.data ?? new Uint8Array(0), 1, expected[far + 1]?.originalLength).info);
    assert.notEqual(info, '');

    // A scan of every packet's contents counts what it could not see (the inspector says so).
    const before = store.missingByteReads;
    for (let row = 0; row < store.size; row++) store.columns.info(store.slot(row));
    assert.ok(store.missingByteReads - before > expected.length / 2, 'most packets were not in memory');

    // A reload streams everything again to the new page (a new store), from the first packet.
    const relisted = webview.done();
    await connection.handle({ type: 'ready' });
    await relisted;
    assert.notEqual(webview.store(), store);
    assert.equal(webview.store().size, expected.length);
    assert.equal(webview.store().hasBytes(far), false);

    // A reload while the file is still streaming: the new page gets exactly the file, once.
    const settled = webview.done();
    await connection.handle({ type: 'ready' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await connection.handle({ type: 'ready' });
    await settled;
    const last = webview.store();
    assert.equal(last.size, expected.length);
    const c = last.columns;
    for (const row of [0, 1, 4999, 5000, 12345, expected.length - 1]) {
      const s = last.slot(row);
      assert.equal(c.tsSec[s], expected[row]?.tsSec, `row ${row}`);
      assert.equal(c.tsUsec[s], expected[row]?.tsUsec, `row ${row}`);
      assert.equal(c.capturedLength[s], expected[row]?.data.length, `row ${row}`);
    }
  } finally {
    connection.dispose();
    model.dispose();
  }
});

test('which files are streamed: a pcap from the threshold up; below it, or saved JSON, the whole-file path', async () => {
  const file = generatePcap(join(dir, 'small.pcap'), 100, 3);
  assert.equal(await openStreamedFile(file.path, 'small.pcap', () => undefined), undefined);
  const streamed = await openStreamedFile(file.path, 'small.pcap', () => undefined, 1000);
  assert.ok(streamed instanceof StreamedFileCapture);
  assert.equal(streamed.packetCeiling, Math.ceil(file.bytes / 16));
  streamed.dispose();
  assert.equal(await openStreamedFile(join(dir, 'capture.json'), 'capture.json', () => undefined, 0), undefined);
});
