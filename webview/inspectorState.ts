/**
 * What the inspector knows, without any DOM: the packets (the store, the rows
 * the display filter passes and their sorted order), what the host said about
 * the capture, and the user's display choices. The controller changes it; the
 * renderers read it.
 */
import { summarize, summarizeColumns, summarizeRow } from '../src/core/decode/index';
import { FilteredRows } from '../src/core/filter/index';
import { PacketStore } from '../src/core/packetStore';
import { frameBatchesOf, type CaptureStatus, type ToWebviewMessage } from '../src/protocol/webviewMessages';
import { CaptureRate } from './captureRate';
import { SortedRows } from './sortedRows';
import { TlsDecryptions } from './tlsDecryptions';
import type { InspectorUiState } from './vscodeApi';

export type TimeFormat = InspectorUiState['timeFormat'];
export type InitMessage = Extract<ToWebviewMessage, { type: 'init' }>;
export type FramesMessage = Extract<ToWebviewMessage, { type: 'frames' }>;

/** Shown until `init` says otherwise. */
const DEFAULT_MAX_PACKETS = 1_000_000;

export class InspectorState {
  store = new PacketStore({ maxPackets: DEFAULT_MAX_PACKETS, summarize, summarizeColumns, summarizeRow });
  rows = new FilteredRows(this.store);
  /** The rows in the order the list shows them (a header click sorts). */
  readonly sorted = new SortedRows(this.rows);
  /** Addresses of known containers show as their names (Wireshark's name resolution); off: raw addresses. */
  resolveNames = true;
  hostnames: Record<string, string> = {};
  /** What the Time column shows. */
  timeFormat: TimeFormat = 'sinceStart';
  live = false;
  status: CaptureStatus = { state: 'starting' };
  title = '';
  /** The tab captures a container (not a file): an ended capture can start again. */
  capturesContainer = false;
  /** The text in the filter box (it may not compile). */
  filterText = '';
  /** The filter whose result the list shows (the box may hold an invalid one). */
  appliedFilter = '';
  /** tcpdump's kernel-drop count when the user last cleared. */
  kernelDropsAtClear = 0;
  /** Packets the user marked (Mark/Unmark Packet, Ctrl+M). */
  readonly marked = new Set<number>();
  /** TLS decrypted by the host with a key log (Decrypt TLS with Key Log…). */
  readonly tls = new TlsDecryptions();
  readonly rate = new CaptureRate();
  /** Restored after a reload, applied once the host has re-sent that packet (0: none). */
  pendingSelect = 0;
  pendingTop = 0;

  /** `init`: a new store with the host's limits; the display choices stay. */
  reset(message: InitMessage): void {
    this.title = message.title;
    this.live = message.live;
    this.capturesContainer = message.container !== undefined || message.group === true;
    this.hostnames = { ...message.hostnames };
    this.status = message.status;
    this.store = new PacketStore({ maxPackets: Math.max(1, Math.floor(message.maxPackets)), ...byteBudget(message.maxBytes), ...byteCache(message.bytesOnDemand), summarize, summarizeColumns, summarizeRow });
    // Numbering continues from what the host already dropped, so "No." matches its numbers.
    this.store.skipNumbers(message.status.droppedFromMemory ?? 0);
    this.rows = new FilteredRows(this.store);
    this.sorted.setRows(this.rows);
    this.marked.clear();
    this.tls.clear();
    this.kernelDropsAtClear = 0;
    this.rate.reset();
  }

  /** `frames`: into the store (the caller acknowledges, then updates the rows). */
  storeFrames(message: FramesMessage): void {
    // The store keeps the batch's memory (postMessage gave this runtime its own copy).
    for (const batch of frameBatchesOf(message)) this.store.appendBatch(batch);
    // Decrypted data of packets the store dropped (memory limit) goes with them.
    this.tls.forgetBefore(this.store.firstNumber);
  }

  /** New packets: the filter and the sort take them in. True when the sorted order changed (refill the list). */
  updateRows(): boolean {
    this.rows.update();
    return this.sorted.refresh();
  }

  /** Clear (here or on the host): no packets, marks or rate; the kernel-drop counter starts again. */
  clearPackets(): void {
    this.kernelDropsAtClear = this.status.kernelDrops ?? 0;
    this.store.clear();
    this.marked.clear();
    this.rows.reset();
    this.sorted.refresh(true);
    this.rate.reset();
  }

  /** The address as the list shows it: a container name when known and names are on. */
  displayAddress(address: string): string {
    return (this.resolveNames ? this.hostnames[address] : undefined) ?? address;
  }

  /** tcpdump's count is cumulative: Clear starts it again from zero. */
  get kernelDrops(): number {
    return Math.max(0, (this.status.kernelDrops ?? 0) - this.kernelDropsAtClear);
  }

  /** Packets per second for a live capture; undefined for a file. */
  currentRate(now: number): number | undefined {
    return this.live ? this.rate.perSecond(now, this.store.totalReceived) : undefined;
  }

  /** Stop is offered while the capture runs; Capture Again once a container's capture has ended. */
  get canStop(): boolean {
    return this.live && (this.status.state === 'starting' || this.status.state === 'capturing');
  }

  get canCaptureAgain(): boolean {
    return this.capturesContainer && (this.status.state === 'ended' || this.status.state === 'error');
  }
}

/** The host's in-memory byte budget applies here too (the webview holds its own copy of every frame). */
function byteCache(onDemand: { cacheBytes: number } | undefined): { byteCache?: number } {
  return onDemand && Number.isFinite(onDemand.cacheBytes) && onDemand.cacheBytes > 0 ? { byteCache: onDemand.cacheBytes } : {};
}

function byteBudget(maxBytes: number | undefined): { maxBytes?: number } {
  return maxBytes !== undefined && Number.isFinite(maxBytes) && maxBytes > 0 ? { maxBytes } : {};
}
