/**
 * Finds a packet's conversation by protocol and endpoint pair, in either direction:
 * open addressing with linear probing over one Int32Array of [conversation + 1, hash]
 * pairs (0 is an empty slot). Keeping each key's full hash beside it means a probe
 * compares the hash it already holds in cache and reads the conversation's columns only
 * on a real match, and growing re-places keys by their hash without reading the columns
 * at all: with a million conversations, each column read is a cache miss.
 */
import { SEGMENT_BITS, SEGMENT_MASK, type ConversationColumns } from './conversationColumns';

const INITIAL_SLOTS = 1 << 12;
/** 2^21 keys: a table of 2^22 slots, 32 MB. */
const RESERVE_MAX_KEYS = 1 << 21;

export class ConversationHash {
  private table = new Int32Array(2 * INITIAL_SLOTS);
  private used = 0;
  /** The hash of the key the last `find()` looked for, stored by `set()`. */
  private lastHash = 0;

  constructor(private readonly conv: ConversationColumns) {}

  get byteLength(): number {
    return this.table.byteLength;
  }

  clear(): void {
    this.table = new Int32Array(2 * INITIAL_SLOTS);
    this.used = 0;
  }

  /** The slot holding this key's conversation, or the empty slot where it goes. */
  find(protocol: number, src: number, srcPort: number, dst: number, dstPort: number): number {
    // Hashed in a fixed order so that both directions land on one slot.
    const srcFirst = src < dst || (src === dst && srcPort <= dstPort);
    const a = srcFirst ? src : dst;
    const pa = srcFirst ? srcPort : dstPort;
    const b = srcFirst ? dst : src;
    const pb = srcFirst ? dstPort : srcPort;
    let hash = Math.imul(a ^ Math.imul(pa, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(b ^ Math.imul(pb, 0xc2b2ae35), 0x27d4eb2f) ^ protocol;
    hash ^= hash >>> 15;
    this.lastHash = hash;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const c = this.conv;
    for (let h = hash & mask; ; h = (h + 1) & mask) {
      const v = table[2 * h] ?? 0;
      if (v === 0) return h;
      if (table[2 * h + 1] !== hash) continue;
      const g = v - 1;
      const k = c.segments[g >>> SEGMENT_BITS];
      const i = g & SEGMENT_MASK;
      if (k && k.protocol[i] === protocol && (
        (k.addressA[i] === a && k.portA[i] === pa && k.addressB[i] === b && k.portB[i] === pb) ||
        (k.addressA[i] === b && k.portA[i] === pb && k.addressB[i] === a && k.portB[i] === pa))) return h;
    }
  }

  /** The conversation in a slot `find()` returned, -1 when the slot is empty. */
  conversationAt(slot: number): number {
    return (this.table[2 * slot] ?? 0) - 1;
  }

  /** Puts conversation `g` in the slot the last `find()` returned (for the key it looked for). */
  set(slot: number, g: number): void {
    const table = this.table;
    if ((table[2 * slot] ?? 0) === 0) this.used++;
    table[2 * slot] = g + 1;
    table[2 * slot + 1] = this.lastHash;
    if (this.used * 2 > table.length >> 1) this.grow();
  }

  /**
   * Makes room for `count` keys in all (up to RESERVE_MAX_KEYS), so that a read of many new
   * packets places each key once instead of re-placing all of them at every doubling. The
   * bound keeps a read of a 10 M-packet file from asking for a table of 2^25 slots (256 MB)
   * on the chance that every packet is a conversation; past it the table doubles as it fills.
   */
  reserve(count: number): void {
    let slots = this.table.length >> 1;
    while (Math.min(count, RESERVE_MAX_KEYS) * 2 > slots) slots *= 2;
    if (slots > this.table.length >> 1) this.grow(slots);
  }

  private grow(slots = this.table.length): void {
    const old = this.table;
    const table = new Int32Array(2 * slots);
    const mask = (table.length >> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      const v = old[i] ?? 0;
      if (v === 0) continue;
      const hash = old[i + 1] ?? 0;
      // Keys are distinct: the first empty slot is the place, no comparison needed.
      let h = hash & mask;
      while ((table[2 * h] ?? 0) !== 0) h = (h + 1) & mask;
      table[2 * h] = v;
      table[2 * h + 1] = hash;
    }
    this.table = table;
  }
}
