/**
 * What one inspector tab shows: a live capture or an opened file. The panel
 * only talks to this interface, so both look and behave the same.
 */
import type { CaptureStatus } from '../../protocol/webviewMessages';
import type { SpoolFile } from '../spool/spoolFile';
import type { ContainerGroup } from './containerGroup';
import { Emitter, type Subscription } from './emitter';
import { FlowGate } from './flowGate';
import { FrameStore, ownedBatch } from './frameStore';

export interface InspectorModel {
  readonly title: string;
  /** The container a capture belongs to; absent for an opened file. */
  readonly container: { id: string; name: string } | undefined;
  /** The containers a capture of several captures (what Capture Again starts again); absent otherwise. */
  readonly group?: ContainerGroup;
  /** True while it can still receive packets (shows Stop). */
  readonly live: boolean;
  readonly store: FrameStore;
  /** The capture's pcap spool on disk, holding every packet (also those dropped from memory). */
  readonly spool?: SpoolFile | undefined;
  /** Set for a file too large to hold: the store stays empty, frames stream to the webview, bytes are read again on request. */
  readonly bytesOnDemand?: FrameBytesSource | undefined;
  readonly status: CaptureStatus;
  /** New frames (a frameBatch), after they were added to the store. */
  readonly onDidAddFrames: (listener: (batch: Uint8Array) => void) => Subscription;
  readonly onDidChangeStatus: (listener: (status: CaptureStatus) => void) => Subscription;
  readonly onDidClear: (listener: () => void) => Subscription;
  stop(): Promise<void>;
  clear(): void;
  /**
   * A consumer (an inspector webview) says it is behind (`held`) or caught up:
   * a live capture stops reading its source while any consumer is behind.
   */
  holdSource(consumer: object, held: boolean): void;
}

/** A model whose frames are not kept on the host: the webview asks for a packet's bytes by number. */
export interface FrameBytesSource {
  /** An upper bound on the packets the webview will be sent (its store's limit). */
  readonly packetCeiling: number;
  /** Frame bytes the webview keeps before it drops the oldest and asks again. */
  readonly cacheBytes: number;
  /** Sends every frame again from the first (a webview page just said it is ready). */
  restart(): void;
  /** The captured bytes of each packet numbered (1-based), undefined for one not (yet) known. */
  readPackets(numbers: readonly number[]): Promise<(Uint8Array | undefined)[]>;
}

export const SPOOL_KEEPS_DROPPED = 'older packets were dropped from view; Save as pcap saves all of them';

/** The status line's words once the spool stopped growing at its cap. */
export function spoolCappedNotice(cap: { packets: number; bytes: number }): string {
  const mb = Math.round(cap.bytes / (1024 * 1024)).toLocaleString('en-US');
  return `the spool on disk is full (${mb} MB): Save as pcap saves the first ${cap.packets.toLocaleString('en-US')} packets; later ones are kept in memory only`;
}

/** Store, status and events shared by live captures and opened files. */
export abstract class InspectorModelBase implements InspectorModel {
  readonly store: FrameStore;
  protected currentStatus: CaptureStatus;
  protected readonly framesEmitter = new Emitter<Uint8Array>();
  protected readonly statusEmitter = new Emitter<CaptureStatus>();
  protected readonly clearEmitter = new Emitter<void>();
  readonly onDidAddFrames = this.framesEmitter.event;
  readonly onDidChangeStatus = this.statusEmitter.event;
  readonly onDidClear = this.clearEmitter.event;
  protected readonly gate = new FlowGate((held) => this.sourceHeld(held));

  /** `maxBytes`: the in-memory byte budget (default none). */
  constructor(
    readonly title: string,
    maxPackets: number,
    initialStatus: CaptureStatus,
    maxBytes?: number,
  ) {
    this.store = new FrameStore(maxPackets, maxBytes);
    this.currentStatus = initialStatus;
  }

  abstract readonly container: { id: string; name: string } | undefined;
  abstract readonly live: boolean;
  readonly spool?: SpoolFile | undefined;
  abstract stop(): Promise<void>;

  get status(): CaptureStatus {
    const dropped = this.store.droppedFromMemory;
    const status: CaptureStatus = { ...this.currentStatus, droppedFromMemory: dropped };
    // The webview counts the dropped packets; what only the host knows is whether the spool still has them.
    const note = status.spoolCapped ? spoolCappedNotice(status.spoolCapped) : dropped > 0 && this.spool ? SPOOL_KEEPS_DROPPED : undefined;
    if (note) status.message = [status.message, note].filter(Boolean).join(' · ');
    return status;
  }

  holdSource(consumer: object, held: boolean): void {
    this.gate.set(consumer, held);
  }

  /** A live capture pauses or resumes its engine here; nothing to do for a file. */
  protected sourceHeld(held: boolean): void {
    void held;
  }

  clear(): void {
    this.store.clear();
    this.clearEmitter.fire();
    this.statusEmitter.fire(this.status);
  }

  protected addFrames(batch: Uint8Array): number {
    const before = this.store.droppedFromMemory;
    // One array for the store and the webview: kept by reference, posted as it is.
    const owned = ownedBatch(batch);
    const count = this.store.append(owned);
    this.framesEmitter.fire(owned);
    // The first drop is worth a status update so the notice appears; later ones ride on stats.
    if (before === 0 && this.store.droppedFromMemory > 0) this.statusEmitter.fire(this.status);
    return count;
  }

  protected setStatus(patch: Partial<CaptureStatus>): void {
    this.currentStatus = { ...this.currentStatus, ...patch };
    this.statusEmitter.fire(this.status);
  }

  dispose(): void {
    this.framesEmitter.dispose();
    this.statusEmitter.dispose();
    this.clearEmitter.dispose();
  }
}
