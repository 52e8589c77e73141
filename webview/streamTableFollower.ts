/**
 * The stream table of the inspector's packet store (one per store: the store is replaced
 * on `init`), behind Conversations, Follow Stream, the exchanges, the service map and the
 * tcp.stream / udp.stream / tcp.analysis.retransmission filter fields.
 *
 * It follows the packets as they arrive, in idle time, so that those find it ready:
 * built when first asked for, a table of a million conversations took 2.6-3.2 s to open.
 * In a file too large to hold (byte cache), it also reads each packet before its bytes
 * leave memory, so the TCP analysis (retransmissions, port reuse) sees every packet.
 * Past its memory budget (a scan of a million conversations or more) it stops following
 * and is dropped, and is built when asked for, rather than hold that memory for a view
 * nobody may open.
 *
 * No DOM here (only `requestIdleCallback`), so Node tests drive it.
 */
import type { PacketStore } from '../src/core/packetStore';
import type { StreamFieldSource } from '../src/core/filter/streamFields';
import { StreamTable } from '../src/core/stream/streamTable';

/**
 * The most memory a table that follows arrivals may hold: ~2.5 M conversations of a
 * packet each (~105 bytes with the packet's 4; bench 3's file of 999 k conversations
 * makes a 104 MiB table). A port scan or a 10 M-packet file of random flows would
 * otherwise put hundreds of MB into every capture's page (issue 12: the page < 1 GB).
 */
export const FOLLOW_BUDGET_BYTES = 256 * 1024 * 1024;
/** Packets read per step of idle time (~0.5-2 ms at the table's pace in a page). */
const IDLE_STEP_PACKETS = 1024;
/**
 * The most of one idle period the table takes, ms. An idle period may last 50 ms, and a
 * message, a key or a scroll arriving meanwhile waits for the step to end: taking all
 * of it slowed a file's listing and the filter after it by a few hundred ms.
 */
const IDLE_SLICE_MS = 3;

interface IdleDeadline {
  timeRemaining(): number;
}

/** The page's `requestIdleCallback` (looked up on call: tests install their own). */
function whenIdle(callback: (deadline: IdleDeadline) => void): void {
  (globalThis as unknown as { requestIdleCallback(cb: (deadline: IdleDeadline) => void): number }).requestIdleCallback(callback);
}

/** Chromium's `navigator.scheduling.isInputPending()`: a key or a click waits for the page. */
function inputPending(): boolean {
  const scheduling = (globalThis as { navigator?: { scheduling?: { isInputPending?: () => boolean } } }).navigator?.scheduling;
  return scheduling?.isInputPending?.() === true;
}

export class StreamTableFollower {
  private table: StreamTable | undefined;
  private tableStore: PacketStore | undefined;
  /** The store whose table no longer follows arrivals (over the budget). */
  private unfollowedStore: PacketStore | undefined;
  private idlePending = false;

  constructor(
    private readonly store: () => PacketStore,
    private readonly budgetBytes = FOLLOW_BUDGET_BYTES,
  ) {}

  /** True while the current store's table follows arrivals (false once it went over the budget). */
  get followsArrivals(): boolean {
    return this.unfollowedStore !== this.store();
  }

  /** The current table, when there is one, without reading anything. */
  get tableSoFar(): StreamTable | undefined {
    return this.tableStore === this.store() ? this.table : undefined;
  }

  /** Packets arrived: the table reads them in the next idle time (while under the budget). */
  keepUp(): void {
    if (this.idlePending || !this.followsArrivals) return;
    // Made now, not in the idle callback: a file's bytes may start leaving the cache before any idle time comes.
    this.current();
    this.idlePending = true;
    whenIdle((deadline) => {
      this.idlePending = false;
      if (!this.followsArrivals) return;
      const table = this.current();
      const until = performance.now() + Math.min(IDLE_SLICE_MS, deadline.timeRemaining());
      let done = false;
      while (!done && performance.now() < until && !inputPending()) {
        done = table.update(IDLE_STEP_PACKETS);
        if (this.overBudget(table)) return;
      }
      if (!done) this.keepUp();
    });
  }

  /** The table of the current store, up to date. */
  upToDate(): StreamTable {
    const table = this.current();
    table.update();
    return table;
  }

  /**
   * For the filter's compile context: builds the table only when a filter uses a stream
   * field, and follows the store through clears and replacements (the table reads the
   * packets it has not seen when asked about them).
   */
  readonly fieldSource: StreamFieldSource = {
    tcpStream: (c, s, n) => this.current().tcpStream(c, s, n),
    udpStream: (c, s, n) => this.current().udpStream(c, s, n),
    isRetransmission: (n) => this.current().isRetransmission(n),
  };

  /** The store was cleared: stream numbers start over, and the table follows again. */
  reset(): void {
    this.table = undefined;
    this.unfollowedStore = undefined;
  }

  /** The current store's table, as far as it has read. */
  current(): StreamTable {
    const store = this.store();
    if (!this.table || this.tableStore !== store) {
      const table = new StreamTable(store);
      this.table = table;
      this.tableStore = store;
      if (this.followsArrivals) {
        store.beforeBytesLeave = () => {
          if (this.table !== table || !this.followsArrivals) return;
          table.update();
          this.overBudget(table);
        };
      }
    }
    return this.table;
  }

  /** Over the budget: the table stops following and is dropped (built again when asked for). */
  private overBudget(table: StreamTable): boolean {
    if (table.heldBytes <= this.budgetBytes) return false;
    const store = this.store();
    this.unfollowedStore = store;
    store.beforeBytesLeave = undefined;
    if (this.table === table) this.table = undefined;
    return true;
  }
}
