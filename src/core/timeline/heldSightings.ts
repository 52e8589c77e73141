/**
 * The sightings the de-duplicator (packetDeduplicator.ts) holds back, oldest
 * first, until their rows are final. A busy capture holds tens of thousands of
 * them for the matching window; as objects they outlived the young generation
 * and a third of the de-duplication time went to the garbage collector. Here a
 * sighting is a slot of a ring of columns (typed arrays, plus three arrays of
 * references to objects that exist anyway: the frame, its arrival's frame, a
 * container name), so holding one allocates nothing.
 *
 * Pending sightings are also on a doubly linked list per hash bucket (egress
 * and ingress apart), in the order they came, which is how the matching rule
 * finds the oldest copy of a packet. The ring holds every sighting of the last
 * window (behind one lost packet, ~50,000 in the bench), but only a few dozen
 * of them are pending: the bucket table is sized by the pending count, not by
 * the slots, so it stays in the processor's cache (sized by the slots it was a
 * megabyte, and two of every sighting's three lookups in it were cache misses).
 * A bucket's four heads (first and last departure, first and last arrival) sit
 * side by side. Ring and table grow by doubling, rarely.
 */
import type { ContainerFrame } from './containerFrame';

const enum Held {
  /** May still be paired: on its bucket's list. */
  Pending,
  /** A row, final. */
  Shown,
  /** A row, final: sent to a captured container, no arrival seen in the window. */
  NotSeenArriving,
  /** An arrival paired with its departure: part of that row, not a row of its own. */
  Dropped,
}

const NONE = -1;
const INITIAL_SLOTS = 256;
const INITIAL_BUCKETS = 256;
/** A bucket's four list ends sit at bucket * 4: first and last departure, first and last arrival. */
const EGRESS_FIRST = 0;
const INGRESS_FIRST = 2;
/** From a list's first end to its last. */
const LAST = 1;

export class HeldSightings {
  /** Slots minus one (a power of two minus one): slot and bucket of an index. */
  mask = INITIAL_SLOTS - 1;
  /** The oldest held sighting's slot, and how many are held. */
  head = 0;
  count = 0;
  frames: (ContainerFrame | undefined)[] = [];
  /** The arrival copy a departure was paired with. */
  arrivals: (ContainerFrame | undefined)[] = [];
  /** For a departure, the container it is addressed to; for an arrival, the one that sent it (when addresses are known). */
  peers: (string | undefined)[] = [];
  micros = new Float64Array(0);
  ipOffsets = new Int32Array(0);
  hashes = new Int32Array(0);
  states = new Uint8Array(0);
  egress = new Uint8Array(0);
  previous = new Int32Array(0);
  next = new Int32Array(0);
  /** Buckets minus one (a power of two minus one). */
  private bucketMask = INITIAL_BUCKETS - 1;
  /** First and last pending slot of each bucket's list, departures and arrivals apart: four per bucket. */
  private buckets = new Int32Array(INITIAL_BUCKETS * 4).fill(NONE);
  /** Sightings on the lists. */
  private pending = 0;

  constructor() {
    this.allocate(INITIAL_SLOTS);
  }

  /** Holds a final row as the newest: nothing will pair with it (`arrival`: the copy it was paired with on arrival). */
  addRow(frame: ContainerFrame, micros: number, egress: boolean, peer: string | undefined, arrival: ContainerFrame | undefined): void {
    this.add(frame, micros, -1, 0, egress, peer, Held.Shown, arrival);
  }

  /** Holds a copy that may still be paired as the newest, at the end of its bucket's list. */
  addPending(frame: ContainerFrame, micros: number, ip: number, hash: number, egress: boolean, peer: string | undefined): void {
    this.link(this.add(frame, micros, ip, hash, egress, peer, Held.Pending, undefined));
  }

  /** The oldest pending copy in `hash`'s bucket (other hashes share it), departures or arrivals; -1 when none. */
  firstPending(hash: number, egress: boolean): number {
    return this.buckets[((hash & this.bucketMask) << 2) + (egress ? EGRESS_FIRST : INGRESS_FIRST)]!;
  }

  isPending(slot: number): boolean {
    return this.states[slot] === Held.Pending;
  }

  isDropped(slot: number): boolean {
    return this.states[slot] === Held.Dropped;
  }

  isNotSeenArriving(slot: number): boolean {
    return this.states[slot] === Held.NotSeenArriving;
  }

  /** A pending departure met its arrival (a pending one's list was already left in `unlink`). */
  pair(slot: number, arrival: ContainerFrame): void {
    this.states[slot] = Held.Shown;
    this.arrivals[slot] = arrival;
  }

  /** A pending arrival met its departure: no row of its own (it was taken off its list in `unlink`). */
  drop(slot: number): void {
    this.states[slot] = Held.Dropped;
  }

  /** A pending copy's window has passed: off its list, a row of its own. */
  expire(slot: number, notSeenArriving: boolean): void {
    this.unlink(slot);
    this.states[slot] = notSeenArriving ? Held.NotSeenArriving : Held.Shown;
  }

  /** Lets go of the oldest sighting (its row was emitted or dropped). */
  removeOldest(): void {
    const slot = this.head;
    this.frames[slot] = undefined;
    this.arrivals[slot] = undefined;
    this.peers[slot] = undefined;
    this.head = (slot + 1) & this.mask;
    this.count--;
  }

  /** Takes a pending copy off its bucket's list (paired, or its window has passed). */
  unlink(slot: number): void {
    const ends = ((this.hashes[slot]! & this.bucketMask) << 2) + (this.egress[slot] === 1 ? EGRESS_FIRST : INGRESS_FIRST);
    const before = this.previous[slot]!;
    const after = this.next[slot]!;
    if (before === NONE) this.buckets[ends] = after;
    else this.next[before] = after;
    if (after === NONE) this.buckets[ends + LAST] = before;
    else this.previous[after] = before;
    this.pending--;
  }

  private add(frame: ContainerFrame, micros: number, ip: number, hash: number, egress: boolean, peer: string | undefined, state: Held, arrival: ContainerFrame | undefined): number {
    if (this.count > this.mask) this.grow();
    const slot = (this.head + this.count) & this.mask;
    this.count++;
    this.frames[slot] = frame;
    this.arrivals[slot] = arrival;
    this.peers[slot] = peer;
    this.micros[slot] = micros;
    this.ipOffsets[slot] = ip;
    this.hashes[slot] = hash;
    this.states[slot] = state;
    this.egress[slot] = egress ? 1 : 0;
    return slot;
  }

  private link(slot: number): void {
    if (this.pending > this.bucketMask) {
      // More pending than buckets: twice the buckets, every list rebuilt (this slot included).
      this.buckets = new Int32Array((this.bucketMask + 1) * 8).fill(NONE);
      this.bucketMask = (this.bucketMask + 1) * 2 - 1;
      this.relinkAll();
      return;
    }
    const first = ((this.hashes[slot]! & this.bucketMask) << 2) + (this.egress[slot] === 1 ? EGRESS_FIRST : INGRESS_FIRST);
    const before = this.buckets[first + LAST]!;
    this.previous[slot] = before;
    this.next[slot] = NONE;
    if (before === NONE) this.buckets[first] = slot;
    else this.next[before] = slot;
    this.buckets[first + LAST] = slot;
    this.pending++;
  }

  /** Puts every pending sighting back on its bucket's list, oldest first: within a bucket, a list is in arrival order. */
  private relinkAll(): void {
    this.buckets.fill(NONE);
    this.pending = 0;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & this.mask;
      if (this.states[slot] === Held.Pending) this.link(slot);
    }
  }

  /** Twice the slots: the held sightings move to slots 0.., oldest first, and the lists are rebuilt in that order. */
  private grow(): void {
    const old = { ...this };
    const oldMask = this.mask;
    this.allocate((oldMask + 1) * 2);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & oldMask;
      this.frames[i] = old.frames[from];
      this.arrivals[i] = old.arrivals[from];
      this.peers[i] = old.peers[from];
      this.micros[i] = old.micros[from]!;
      this.ipOffsets[i] = old.ipOffsets[from]!;
      this.hashes[i] = old.hashes[from]!;
      this.states[i] = old.states[from]!;
      this.egress[i] = old.egress[from]!;
    }
    this.head = 0;
    this.relinkAll();
  }

  private allocate(slots: number): void {
    this.mask = slots - 1;
    this.frames = new Array<ContainerFrame | undefined>(slots).fill(undefined);
    this.arrivals = new Array<ContainerFrame | undefined>(slots).fill(undefined);
    this.peers = new Array<string | undefined>(slots).fill(undefined);
    this.micros = new Float64Array(slots);
    this.ipOffsets = new Int32Array(slots);
    this.hashes = new Int32Array(slots);
    this.states = new Uint8Array(slots);
    this.egress = new Uint8Array(slots);
    this.previous = new Int32Array(slots);
    this.next = new Int32Array(slots);
  }
}
