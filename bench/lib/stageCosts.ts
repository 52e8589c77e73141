/**
 * Per-stage costs of bench 1 on frames already in memory (no file reading, no
 * channel): what each step of listing a packet costs by itself, so a change to one
 * stage shows in its own figure instead of in the noise of the whole pipeline.
 */
import { readFileSync } from 'node:fs';
import { summarize, summarizeColumns, summarizeRow } from '../../src/core/decode/index';
import { forEachFrame, FrameBatchCursor, FrameBatchWriter } from '../../src/core/frameBatch';
import { PacketStore } from '../../src/core/packetStore';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { nowMs } from './figures';

export interface StageCost {
  name: string;
  packets: number;
  ms: number;
}

/** The file's frames as the webview receives them: 256 KiB batches (the helper's size). */
function batchesOf(path: string, maxPackets: number): Uint8Array[] {
  const file = readPcapFile(readFileSync(path));
  const batches: Uint8Array[] = [];
  const writer = new FrameBatchWriter(512 * 1024);
  let n = 0;
  for (const rec of file.records) {
    if (n++ >= maxPackets) break;
    writer.add({ ...rec, interfaceName: 'eth0', direction: rec.data[11] === 0x02 ? 'out' : 'in' });
    if (writer.byteLength >= 256 * 1024) batches.push(writer.take());
  }
  if (writer.frameCount > 0) batches.push(writer.take());
  return batches;
}

function time(name: string, run: () => number): StageCost {
  const started = nowMs();
  const packets = run();
  return { name, packets, ms: nowMs() - started };
}

/** Visits every frame's bytes without creating frame objects (so they do not weigh on the GC). */
function eachFrame(batches: Uint8Array[], visit: (data: Uint8Array, linkType: number, originalLength: number) => void): number {
  let n = 0;
  for (const b of batches) {
    const cursor = new FrameBatchCursor(b);
    while (cursor.next()) {
      visit(cursor.data(), cursor.linkType, cursor.originalLength);
      n++;
    }
  }
  return n;
}

export function measureStageCosts(path: string, maxPackets = 1_000_000): StageCost[] {
  const batches = batchesOf(path, maxPackets);
  let sink = 0;
  const costs: StageCost[] = [];
  // One pass (summarizeRow) and the two passes it replaced (columns, then filter fields),
  // alternated twice, the faster of each kept: the first store built pays V8's warm-up.
  const storeOnce = (onePass: boolean): StageCost => time('', () => {
    const store = new PacketStore({ maxPackets, summarize, summarizeColumns, ...(onePass ? { summarizeRow } : {}) });
    for (const b of batches) store.appendBatch(b);
    return store.size;
  });
  const faster = (a: StageCost, b: StageCost): StageCost => (a.ms <= b.ms ? a : b);
  const twoFirst = storeOnce(false);
  const oneFirst = storeOnce(true);
  const two = faster(twoFirst, storeOnce(false));
  const one = faster(oneFirst, storeOnce(true));
  costs.push({ ...one, name: 'PacketStore.appendBatch (webview ingest, one decode pass)' });
  costs.push({ ...two, name: '  same, two passes (columns, then filter fields)' });
  costs.push(time('batch -> frame objects (forEachFrame)', () => {
    let n = 0;
    for (const b of batches) forEachFrame(b, () => n++);
    return n;
  }));
  costs.push(time('batch -> frame views (FrameBatchCursor)', () => eachFrame(batches, () => sink++)));
  costs.push(time('  + summarizeColumns() (no Info)', () => eachFrame(batches, (d, l, o) => (sink += summarizeColumns(d, l, o).protocol.length))));
  costs.push(time('  + summarize() (columns + Info)', () => eachFrame(batches, (d, l, o) => (sink += summarize(d, l, o).info.length))));
  if (sink < 0) throw new Error('unreachable');
  return costs;
}
