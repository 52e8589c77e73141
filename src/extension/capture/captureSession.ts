/**
 * One live capture: owns the engine's CaptureHandle, keeps its frames and
 * status for the inspector tab. No `vscode` here; the panel and the status
 * bar subscribe to its events.
 *
 * Memory stays bounded end to end: the frame store by its byte budget, the
 * webview by acknowledged batches (InspectorConnection holds the source while
 * it is behind), the spool's unwritten bytes by SPOOL_BACKLOG_BYTES. While the
 * source is held the engine stops reading the helper's channel, so a flood
 * ends as kernel drops (counted, shown) rather than as memory.
 */
import type { CaptureEndInfo, CaptureEvents, CaptureHandle } from '../../client/captureClient';
import { isCaptureError } from '../../protocol/captureErrors';
import type { CaptureSpool, SpoolCap } from '../spool/captureSpool';
import { Emitter } from './emitter';
import { InspectorModelBase } from './inspectorModel';
import { SlowDiskGuard } from './slowDiskGuard';

export type CaptureLogger = (level: 'info' | 'debug' | 'warn' | 'error', message: string) => void;
/** Starts the engine with the given event sink; the panel code binds target, request and options. */
export type StartCaptureFn = (events: CaptureEvents) => Promise<CaptureHandle>;


export interface CaptureMemoryLimits {
  maxPackets: number;
  /** Byte budget of the in-memory frames; default none. */
  maxBytes?: number;
}

export class CaptureSession extends InspectorModelBase {
  readonly live = true;
  private handle: CaptureHandle | undefined;
  private stopRequested = false;
  private stopping: Promise<void> | undefined;
  private ended = false;
  private captured = 0;
  private readonly endEmitter = new Emitter<CaptureEndInfo>();
  private readonly countEmitter = new Emitter<number>();
  private readonly spoolCapEmitter = new Emitter<SpoolCap>();
  /** Held by the spool while its disk writes are behind. */
  private readonly slowDisk = new SlowDiskGuard(this);
  private paused = false;
  /** Fires once when the spool stopped growing at its cap (for a notification). */
  readonly onDidCapSpool = this.spoolCapEmitter.event;
  /** Fires once when the capture has ended, for whatever reason. */
  readonly onDidEnd = this.endEmitter.event;
  /** Fires with the running packet count (not reset by Clear). */
  readonly onDidCount = this.countEmitter.event;

  private spoolClosed: Promise<void> = Promise.resolve();

  /** `spool` (when the storage folder was usable) gets every frame as it arrives. */
  /** `limits`: a packet count (as before) or a count and a byte budget. */
  constructor(
    readonly container: { id: string; name: string },
    limits: number | CaptureMemoryLimits,
    private readonly log: CaptureLogger,
    override readonly spool?: CaptureSpool,
  ) {
    const { maxPackets, maxBytes } = typeof limits === 'number' ? { maxPackets: limits, maxBytes: undefined } : limits;
    super(`Capture: ${container.name}`, maxPackets, { state: 'starting', message: 'Waiting for permission to capture…' }, maxBytes);
    spool?.onDidCap((cap) => {
      this.setStatus({ spoolCapped: cap });
      this.spoolCapEmitter.fire(cap);
    });
  }

  /** True while the engine is told not to read (a consumer is behind). */
  get sourcePaused(): boolean {
    return this.paused;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Packets captured since the start (kept, dropped from memory and cleared ones). */
  get packetsCaptured(): number {
    return this.captured;
  }

  /**
   * Starts the engine. Rejects with the engine's error (a CaptureError, e.g.
   * code `cancelled` when the password prompt was dismissed); the session is
   * then ended with state `error`.
   */
  async start(startEngine: StartCaptureFn): Promise<void> {
    const events: CaptureEvents = {
      started: (info) => {
        // The helper-container path lists an interface twice when it captures it per direction.
        this.setStatus({ state: 'capturing', message: `Capturing on ${[...new Set(info.interfaces)].join(', ')}` });
        this.log('info', `capturing on ${info.interfaces.join(', ')}; helper PID ${info.helperPid} now runs as uid ${info.uid}/gid ${info.gid}`);
        for (const command of info.commands) this.log('debug', `tcpdump: ${command.join(' ')}`);
      },
      frames: (batch) => {
        if (this.ended) return;
        // Spool first: the disk copy must have what the view may later drop.
        this.spool?.append(batch);
        this.slowDisk.check(this.spool);
        const n = this.addFrames(batch);
        this.captured += n;
        this.countEmitter.fire(this.captured);
      },
      stats: (stats) => {
        this.setStatus({ kernelDrops: stats.kernelDrops });
      },
      log: (level, message) => this.log(level, message),
      ended: (info) => this.finish(info),
    };
    try {
      this.handle = await startEngine(events);
      // Frames that came with `started` may already have filled a consumer.
      if (this.paused && !this.stopRequested) this.handle.pause();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.finish({ reason: error.message, ...(isCaptureError(e) ? { error: e } : {}) });
      throw e;
    }
    // The tab was closed (or Stop pressed) while the password prompt was open.
    if (this.stopRequested) await this.stop();
  }

  /** Resolves once the capture has ended and its spool is closed. */
  stop(): Promise<void> {
    this.stopRequested = true;
    if (this.ended) return this.spoolClosed;
    if (!this.handle) return Promise.resolve();
    if (!this.stopping) {
      this.setStatus({ state: 'stopping', message: 'Stopping…' });
      const handle = this.handle;
      this.stopping = handle.stop().then(
        () => this.finish({ reason: 'stopped' }),
        (e: unknown) => {
          this.log('error', `Stopping the capture failed: ${e instanceof Error ? e.message : String(e)}`);
          this.finish({ reason: 'stopped' });
        },
      );
    }
    return this.stopping.then(() => this.spoolClosed);
  }

  override clear(): void {
    void this.spool?.clear();
    this.currentStatus = { ...this.currentStatus, spoolCapped: undefined };
    super.clear();
  }

  protected override sourceHeld(held: boolean): void {
    this.paused = held;
    // Once stopping, the helper's last frames and its `ended` must still be read.
    if (this.stopRequested || this.ended) return;
    if (held) this.handle?.pause();
    else this.handle?.resume();
  }


  private finish(info: CaptureEndInfo): void {
    if (this.ended) return;
    this.ended = true;
    if (this.spool) this.spoolClosed = this.spool.close();
    this.setStatus(info.error ? { state: 'error', message: info.error.message } : { state: 'ended', message: `Capture ended: ${info.reason}` });
    this.endEmitter.fire(info);
  }

  override dispose(): void {
    super.dispose();
    this.endEmitter.dispose();
    this.countEmitter.dispose();
  }
}

