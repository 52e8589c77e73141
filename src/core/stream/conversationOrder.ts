/**
 * The Conversations table's order, read from the stream table's typed columns: one
 * number per conversation as the sort key, the conversation numbers sorted by it, and
 * objects built only for the rows shown. A scan can make a million conversations;
 * building an object with address strings for each, then sorting the objects through
 * the column's text (`localeCompare` on "address:port"), took ~2 s to list and ~6 s to
 * sort by an address in Node, before anything was drawn.
 */
import { PROTOCOL_TCP, PROTOCOL_UDP, SEGMENT_BITS, SEGMENT_MASK, type ConversationSegment } from './conversationColumns';
import { stateOf, type Conversation, type ConversationState, type StreamTable } from './streamTable';

export const CONVERSATION_SORT_KEYS = ['protocol', 'stream', 'addressA', 'addressB', 'packets', 'bytes', 'bytesAtoB', 'bytesBtoA', 'start', 'duration', 'state'] as const;
export type ConversationSortKey = (typeof CONVERSATION_SORT_KEYS)[number];

export interface ConversationPage {
  /** Conversations in all. */
  total: number;
  /** The first `limit` in the order asked for. */
  rows: Conversation[];
}

const STATES: ConversationState[] = ['SYN', 'established', 'FIN', 'RST', 'open', 'UDP'];
/** The states' rank in the order their names sort, as the table shows them. */
const STATE_RANK = new Map(STATES.slice().sort((a, b) => a.localeCompare(b)).map((s, i) => [s, i]));

/**
 * The first `limit` conversations ordered by `key` (ascending, or descending), ties in
 * protocol (TCP first) then stream order. Addresses order by the text `addressText`
 * gives them (container names when known), then by port as a number.
 */
export function orderedConversations(table: StreamTable, key: ConversationSortKey, descending: boolean, limit: number, addressText: (address: string) => string): ConversationPage {
  table.update();
  const total = table.conversationCount;
  if (key === 'stream') return { total, rows: inStreamOrder(table, descending, Math.min(limit, total)).map((g) => table.conversationAt(g)) };
  const keys = new Float64Array(total);
  const protocol = new Uint8Array(total);
  const rank = key === 'addressA' || key === 'addressB' ? addressRanks(table, addressText) : undefined;
  const segments = table.columns.segments;
  for (let g = 0; g < total; g++) {
    const c = segments[g >>> SEGMENT_BITS] as ConversationSegment;
    const i = g & SEGMENT_MASK;
    protocol[g] = c.protocol[i] ?? 0;
    keys[g] = keyOf(key, c, i, rank);
  }
  const picked = firstInOrder(keys, protocol, descending, Math.min(limit, total));
  const index = (g: number): number => segments[g >>> SEGMENT_BITS]?.index[g & SEGMENT_MASK] ?? 0;
  const sign = descending ? -1 : 1;
  picked.sort((x, y) => sign * ((keys[x] ?? 0) - (keys[y] ?? 0)) || (protocol[x] ?? 0) - (protocol[y] ?? 0) || index(x) - index(y));
  return { total, rows: picked.map((g) => table.conversationAt(g)) };
}

/**
 * The first `count` conversations by stream number (the view's default order), ties TCP
 * first: read straight from the table's stream lists, with no key per conversation. The
 * general path's keys and selection over a million conversations took ~0.16 s in a page.
 */
function inStreamOrder(table: StreamTable, descending: boolean, count: number): number[] {
  const tcp = table.streamCount('tcp');
  const udp = table.streamCount('udp');
  const streams = Math.max(tcp, udp);
  const picked: number[] = [];
  for (let k = 0; k < streams && picked.length < count; k++) {
    const s = descending ? streams - 1 - k : k;
    if (s < tcp) picked.push(table.conversationNumber('tcp', s));
    if (s < udp && picked.length < count) picked.push(table.conversationNumber('udp', s));
  }
  return picked;
}

/**
 * The `count` conversations that come first by key, ties by protocol then stream
 * (unordered): the count-th key is found by selection (linear time), then one pass
 * takes every conversation before it and another the ties at it in tie order. Only
 * those `count` are sorted with a comparator: a full sort of a million conversation
 * numbers through one took ~0.3-0.45 s.
 */
function firstInOrder(keys: Float64Array, protocol: Uint8Array, descending: boolean, count: number): number[] {
  const total = keys.length;
  if (count === 0) return [];
  const boundary = kthSmallest(keys.slice(), descending ? total - count : count - 1);
  const picked: number[] = [];
  for (let g = 0; g < total; g++) {
    const k = keys[g] ?? 0;
    if (descending ? k > boundary : k < boundary) picked.push(g);
  }
  // Ties at the boundary: TCP first, and within a protocol stream numbers grow with g.
  for (const p of [PROTOCOL_TCP, PROTOCOL_UDP]) {
    for (let g = 0; g < total && picked.length < count; g++) {
      if (keys[g] === boundary && protocol[g] === p) picked.push(g);
    }
  }
  return picked;
}

function keyOf(key: ConversationSortKey, c: ConversationSegment, i: number, rank: Int32Array | undefined): number {
  switch (key) {
    case 'protocol': return c.protocol[i] === PROTOCOL_TCP ? 0 : 1;
    case 'stream': return c.index[i] ?? 0;
    case 'addressA': return (rank?.[c.addressA[i] ?? 0] ?? 0) * 65_536 + (c.portA[i] ?? 0);
    case 'addressB': return (rank?.[c.addressB[i] ?? 0] ?? 0) * 65_536 + (c.portB[i] ?? 0);
    case 'packets': return (c.packetsAtoB[i] ?? 0) + (c.packetsBtoA[i] ?? 0);
    case 'bytes': return (c.bytesAtoB[i] ?? 0) + (c.bytesBtoA[i] ?? 0);
    case 'bytesAtoB': return c.bytesAtoB[i] ?? 0;
    case 'bytesBtoA': return c.bytesBtoA[i] ?? 0;
    case 'start': return c.firstTime[i] ?? 0;
    case 'duration': return (c.lastTime[i] ?? 0) - (c.firstTime[i] ?? 0);
    case 'state': return STATE_RANK.get(stateOf(c.protocol[i] ?? 0, c.flags[i] ?? 0)) ?? 0;
  }
}

/** Each interned address's rank in the order of its text: a capture has few addresses, however many conversations. */
function addressRanks(table: StreamTable, addressText: (address: string) => string): Int32Array {
  const addresses = table.packets.columns.addresses.values;
  const texts = addresses.map(addressText);
  const collator = new Intl.Collator();
  const ids = Array.from(texts.keys()).sort((a, b) => collator.compare(texts[a] ?? '', texts[b] ?? ''));
  const rank = new Int32Array(addresses.length);
  // Addresses shown with the same text (one container's two addresses under its name) rank equal: the port decides.
  let r = 0;
  ids.forEach((id, k) => {
    if (k > 0 && collator.compare(texts[id] ?? '', texts[ids[k - 1] ?? 0] ?? '') !== 0) r++;
    rank[id] = r;
  });
  return rank;
}

/** The k-th smallest value of `a` (0-based), reordering `a`: quickselect with a three-way partition, so that many equal keys (a packet each) stay linear. */
export function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const x = a[lo] ?? 0;
    const y = a[(lo + hi) >>> 1] ?? 0;
    const z = a[hi] ?? 0;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = a[i] ?? 0;
      if (v < pivot) {
        a[i++] = a[lt] ?? 0;
        a[lt++] = v;
      } else if (v > pivot) {
        a[i] = a[gt] ?? 0;
        a[gt--] = v;
      } else {
        i++;
      }
    }
    // Now a[lo..lt-1] < pivot, a[lt..gt] == pivot, a[gt+1..hi] > pivot.
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[lo] ?? 0;
}
