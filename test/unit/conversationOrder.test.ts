/**
 * The Conversations table's order (conversationOrder.ts) against the plain way: every
 * conversation as an object, sorted with a comparator over what the table shows. On
 * generated captures with many conversations of one packet (ties everywhere) and with a
 * few long flows, by every column, both ways, with a limit that cuts through ties.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generatePcap } from '../../bench/lib/generatePcap';
import { CONVERSATION_SORT_KEYS, kthSmallest, orderedConversations, type ConversationSortKey } from '../../src/core/stream/conversationOrder';
import { conversationState, type Conversation } from '../../src/core/stream/streamTable';
import { loadPcap } from '../support/streamOracle';

const dir = mkdtempSync(join(tmpdir(), 'dnc-conversation-order-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const collator = new Intl.Collator();

/** The column's value as a user reads it, for the reference sort. */
function reference(key: ConversationSortKey, c: Conversation, name: (a: string) => string): [number | string, number] {
  switch (key) {
    case 'protocol': return [c.protocol.toUpperCase(), 0];
    case 'stream': return [c.index, 0];
    case 'addressA': return [name(c.addressA), c.portA];
    case 'addressB': return [name(c.addressB), c.portB];
    case 'packets': return [c.packetsAtoB + c.packetsBtoA, 0];
    case 'bytes': return [c.bytesAtoB + c.bytesBtoA, 0];
    case 'bytesAtoB': return [c.bytesAtoB, 0];
    case 'bytesBtoA': return [c.bytesBtoA, 0];
    case 'start': return [c.firstTime, 0];
    case 'duration': return [c.lastTime - c.firstTime, 0];
    case 'state': return [conversationState(c), 0];
  }
}

function referenceOrder(all: Conversation[], key: ConversationSortKey, descending: boolean, name: (a: string) => string): string[] {
  const sign = descending ? -1 : 1;
  return all.map((c) => ({ c, k: reference(key, c, name) })).sort((x, y) => {
    const [a, pa] = x.k;
    const [b, pb] = y.k;
    const byKey = typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
    return sign * (byKey || pa - pb) || x.c.protocol.localeCompare(y.c.protocol) || x.c.index - y.c.index;
  }).map(({ c }) => `${c.protocol}.stream == ${c.index}`);
}

describe('the Conversations order equals a plain sort of every conversation', () => {
  for (const kind of ['manyFlows', 'realistic'] as const) {
    test(`${kind} capture: every column, both ways, all rows and the first 37`, () => {
      const file = generatePcap(join(dir, `${kind}.pcap`), 6000, 11, kind);
      const { store, table } = loadPcap(file.path);
      const all = [...table.tcp, ...table.udp];
      assert.ok(all.length > 100, `${all.length} conversations`);
      // Some addresses shown under one name, as containers are: the port decides between them.
      const name = (a: string): string => (a.endsWith('.1') || a.endsWith('.2') ? 'svc-web' : a);
      for (const key of CONVERSATION_SORT_KEYS) {
        for (const descending of [false, true]) {
          const expected = referenceOrder(all, key, descending, name);
          const page = orderedConversations(table, key, descending, all.length, name);
          assert.equal(page.total, all.length);
          assert.deepEqual(page.rows.map((c) => `${c.protocol}.stream == ${c.index}`), expected, `${key} ${descending ? 'descending' : 'ascending'}`);
          const first = orderedConversations(table, key, descending, 37, name);
          assert.deepEqual(first.rows.map((c) => `${c.protocol}.stream == ${c.index}`), expected.slice(0, 37), `${key}, first 37`);
        }
      }
      assert.equal(store.size, 6000);
    });
  }
});

test('kthSmallest finds each rank among many equal values', () => {
  let seed = 7;
  const random = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  for (const size of [1, 2, 3, 10, 1000]) {
    const values = Float64Array.from({ length: size }, () => Math.floor(random() * 5));
    const sorted = values.slice().sort();
    for (let k = 0; k < size; k++) assert.equal(kthSmallest(values.slice(), k), sorted[k], `size ${size}, k ${k}`);
  }
});
