/**
 * The inspector's stream table follows the packets as they arrive, in idle time
 * (webview/streamTableFollower.ts), so that Conversations and the stream filters find it
 * ready; past its memory budget it stops following, is dropped, and is built when
 * asked for. Idle time is driven by hand here (requestIdleCallback queued, then run).
 */
import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { summarize, summarizeColumns, summarizeRow } from '../../src/core/decode/index';
import type { CapturedFrame } from '../../src/core/packet';
import { PacketStore } from '../../src/core/packetStore';
import { StreamTable } from '../../src/core/stream/streamTable';
import { StreamTableFollower } from '../../webview/streamTableFollower';
import { RawPcapRecords, SYN, tcpFrame } from '../support/rawTcpFrames';

type IdleCallback = (deadline: { timeRemaining(): number; didTimeout: boolean }) => void;
const idle: IdleCallback[] = [];
const g = globalThis as { requestIdleCallback?: (cb: IdleCallback) => number };
const saved = g.requestIdleCallback;
g.requestIdleCallback = (cb) => idle.push(cb);
after(() => {
  g.requestIdleCallback = saved;
});
beforeEach(() => {
  idle.length = 0;
});

/** Runs idle callbacks (each may queue the next) until none is left; how many ran. */
function runIdle(): number {
  let ran = 0;
  for (let cb = idle.shift(); cb; cb = idle.shift()) {
    cb({ timeRemaining: () => 50, didTimeout: false });
    ran++;
  }
  return ran;
}

/** `scans` one-packet TCP conversations (a SYN each from another address), then whole exchanges with a retransmission each. */
function framesOf(scans: number, exchanges: number): CapturedFrame[] {
  const records = new RawPcapRecords();
  for (let i = 0; i < scans; i++) records.write(tcpFrame([10, 8, i >> 8, i & 0xff], 20_000, [10, 7, 0, 2], 80, 1000 + i, 0, SYN, 0));
  for (let k = 0; k < exchanges; k++) records.exchange([10, 9, 0, k], 40_000, [10, 7, 0, 2], 5000 + k, 9000 + k, 100, 300);
  return records.frames;
}

/** Per packet: tcp.stream and retransmission, as a table built at once over the same store reads them. */
function streamsOf(store: PacketStore, table: Pick<StreamTable, 'tcpStream' | 'isRetransmission'>): string[] {
  const out: string[] = [];
  for (let row = 0; row < store.size; row++) {
    const n = store.numberOf(row);
    out.push(`${n} ${table.tcpStream(store.columns, store.slot(row), n)} ${table.isRetransmission(n) ? 'R' : ''}`);
  }
  return out;
}

test('the table follows arrivals in idle time: ready without being asked, and as a table built at once has it', () => {
  const store = new PacketStore({ maxPackets: 100_000, summarize, summarizeColumns, summarizeRow });
  const follower = new StreamTableFollower(() => store);
  const frames = framesOf(3000, 20);
  for (let i = 0; i < frames.length; i += 500) {
    for (const frame of frames.slice(i, i + 500)) store.append(frame);
    follower.keepUp();
    follower.keepUp();
    assert.equal(idle.length, 1, 'one idle callback pending, however many batches came');
    runIdle();
  }
  const table = follower.tableSoFar;
  assert.ok(table, 'a table was made without anybody asking for one');
  assert.equal(table.unread, 0, 'every packet read in idle time');
  assert.equal(table.conversationCount, 3020);
  const atOnce = new StreamTable(store);
  atOnce.update();
  assert.deepEqual(streamsOf(store, table), streamsOf(store, atOnce));
  assert.equal(streamsOf(store, table).filter((l) => l.endsWith('R')).length, 20, 'each exchange\'s retransmission');
  assert.ok(follower.followsArrivals);
});

test('past its memory budget the table stops following and is dropped; asked for, it is built whole', () => {
  const store = new PacketStore({ maxPackets: 100_000, summarize, summarizeColumns, summarizeRow });
  const budget = 256 * 1024;
  const follower = new StreamTableFollower(() => store, budget);
  const frames = framesOf(5000, 4);
  for (const frame of frames.slice(0, 4000)) store.append(frame);
  follower.keepUp();
  runIdle();
  assert.equal(follower.followsArrivals, false, 'over the budget');
  assert.equal(follower.tableSoFar, undefined, 'its memory given back');
  for (const frame of frames.slice(4000)) store.append(frame);
  follower.keepUp();
  assert.equal(idle.length, 0, 'no more idle work for this store');
  const expected = new StreamTable(store);
  expected.update();
  assert.deepEqual(streamsOf(store, follower.fieldSource), streamsOf(store, expected), 'the filter fields still answer, from a table built when asked');
  assert.ok(follower.upToDate().heldBytes > budget, 'the table asked for is kept, over the budget');

  // Cleared: a new start, which follows again.
  follower.reset();
  store.clear();
  assert.equal(follower.followsArrivals, true);
});
