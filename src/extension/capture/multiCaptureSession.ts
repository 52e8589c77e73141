/**
 * One inspector tab capturing several containers (a selection in the tree, or
 * a Compose project): the group's frames merged into one timeline by capture
 * time, each packet between two captured containers once, as the CLI shows
 * them (core/timeline/liveTimeline.ts). Rows reach the store, the spool and
 * the webview as frameBatches like any capture's, their interface named
 * `<container>/<interface>` (core/timeline/timelineInterface.ts): that is what
 * the inspector's Container column shows. No `vscode` here.
 */
import type { CaptureEndInfo } from '../../client/captureClient';
import type { ContainerGroupCapture, GroupCaptureEvents } from '../../client/containerGroupCapture';
import { FrameBatchWriter } from '../../core/frameBatch';
import type { TimelinePacket } from '../../core/timeline/containerFrame';
import { LiveTimeline } from '../../core/timeline/liveTimeline';
import { timelineInterfaceName } from '../../core/timeline/timelineInterface';
import type { CaptureSpool } from '../spool/captureSpool';
import type { ContainerGroup } from './containerGroup';
import type { CaptureLogger, CaptureMemoryLimits } from './captureSession';
import { SlowDiskGuard } from './slowDiskGuard';
import { Emitter } from './emitter';
import { InspectorModelBase } from './inspectorModel';

/** How often rows that can no longer change are released to the tab. */
const RELEASE_MS = 50;

/** Builds the group with the session's event sink (the capture manager binds docker, backend and project). */
export type GroupFactory = (events: GroupCaptureEvents) => ContainerGroupCapture;

export class MultiCaptureSession extends InspectorModelBase {
  readonly live = true;
  /** Not one container: Capture Again starts `group` again. */
  readonly container = undefined;
  private groupCapture: ContainerGroupCapture | undefined;
  private timeline: LiveTimeline | undefined;
  private readonly writer = new FrameBatchWriter();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ended = false;
  private stopRequested = false;
  private rows = 0;
  private readonly kernelDrops = new Map<string, number>();
  private readonly endEmitter = new Emitter<CaptureEndInfo>();
  private readonly countEmitter = new Emitter<number>();
  private readonly membersEmitter = new Emitter<void>();
  private readonly refusedEmitter = new Emitter<string>();
  /** Fires once when the whole capture has ended. */
  readonly onDidEnd = this.endEmitter.event;
  /** Fires with the number of rows so far (a packet both ends saw counts once). */
  readonly onDidCount = this.countEmitter.event;
  /** A container joined or left. */
  readonly onDidChangeMembers = this.membersEmitter.event;
  /** A container of the project started and was not joined: the one line to show the user. */
  readonly onDidRefuseJoin = this.refusedEmitter.event;
  private spoolClosed: Promise<void> = Promise.resolve();
  /** Held by the spool while its disk writes are behind. */
  private readonly slowDisk = new SlowDiskGuard(this);

  constructor(
    /** What the tab and the status bar call it: `project shop`, or `web-1, db-1`. */
    readonly label: string,
    limits: CaptureMemoryLimits,
    private readonly log: CaptureLogger,
    override readonly spool?: CaptureSpool,
    /** false when one direction only is captured: no arrival can be seen. */
    private readonly expectArrival = true,
    /** What it captures, for Capture Again. */
    readonly group?: ContainerGroup,
  ) {
    super(`Capture: ${label}`, limits.maxPackets, { state: 'starting', message: 'Starting the capture of every container…' }, limits.maxBytes);
    spool?.onDidCap((cap) => this.setStatus({ spoolCapped: cap }));
  }

  /** Ids of the containers being captured now (the tree marks them). */
  get containerIds(): ReadonlySet<string> {
    return new Set(this.groupCapture?.containerIds ?? []);
  }

  get packetsCaptured(): number {
    return this.rows;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Starts every capture of the group; rejects (the session ended in `error`) when one cannot start. */
  async start(makeGroup: GroupFactory, targets: Parameters<ContainerGroupCapture['start']>[0]): Promise<void> {
    const group = makeGroup({
      joined: (t, info) => {
        this.log('info', `${t.name}: capturing on ${[...new Set(info.interfaces)].join(', ')}`);
        this.describeMembers();
      },
      frames: (frames) => {
        if (this.ended) return;
        const now = Date.now() * 1000;
        for (const f of frames) this.timeline?.add(f, now);
      },
      stats: (t, s) => {
        this.kernelDrops.set(t.id, s.kernelDrops);
        let total = 0;
        for (const n of this.kernelDrops.values()) total += n;
        this.setStatus({ kernelDrops: total });
      },
      log: (t, level, message) => this.log(level, t ? `[${t.name}] ${message}` : message),
      left: (t, info) => {
        if (!this.stopRequested) this.log(info.error ? 'warn' : 'info', `${t.name} left the capture: ${info.error?.message ?? info.reason}`);
        this.describeMembers();
      },
      ended: () => this.finish({ reason: this.stopRequested ? 'stopped' : 'every container stopped' }),
      notJoined: (_t, notice) => {
        if (!this.ended) this.refusedEmitter.fire(notice);
      },
    });
    this.groupCapture = group;
    this.timeline = new LiveTimeline((p) => this.addRow(p), group.addresses, this.expectArrival);
    this.timer = setInterval(() => this.release(), RELEASE_MS);
    try {
      await group.start(targets);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.finish({ reason: error.message }, true);
      throw e;
    }
    if (this.stopRequested) await this.stop();
  }

  /** Resolves once every capture has ended and the spool is closed. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.ended) return this.spoolClosed;
    if (!this.groupCapture) return;
    this.setStatus({ state: 'stopping', message: 'Stopping…' });
    await this.groupCapture.stop();
    // A group whose last capture was still starting ends when that one reports.
    if (this.groupCapture.isOver) return this.spoolClosed;
  }

  override clear(): void {
    void this.spool?.clear();
    this.currentStatus = { ...this.currentStatus, spoolCapped: undefined };
    super.clear();
  }

  protected override sourceHeld(held: boolean): void {
    if (this.stopRequested || this.ended) return;
    if (held) this.groupCapture?.pause();
    else this.groupCapture?.resume();
  }

  private describeMembers(): void {
    if (this.ended) return;
    const names = this.groupCapture?.containerNames ?? [];
    this.setStatus({ state: 'capturing', message: names.length > 0 ? `Capturing ${names.sort().join(', ')}` : 'Waiting for a container of the project to start' });
    this.membersEmitter.fire();
  }

  private addRow(packet: TimelinePacket): void {
    const f = packet.frame;
    this.writer.add({ ...f, interfaceName: timelineInterfaceName(packet) });
  }

  private release(): void {
    this.timeline?.release(Date.now() * 1000);
    this.flushRows();
  }

  private flushRows(): void {
    if (this.writer.frameCount === 0) return;
    const batch = this.writer.take();
    // Spool first: the disk copy must have what the view may later drop.
    this.spool?.append(batch);
    this.slowDisk.check(this.spool);
    this.rows += this.addFrames(batch);
    this.countEmitter.fire(this.rows);
  }


  private finish(info: CaptureEndInfo, failed = false): void {
    if (this.ended) return;
    if (this.timer) clearInterval(this.timer);
    this.timeline?.finish();
    this.flushRows();
    this.ended = true;
    if (this.spool) this.spoolClosed = this.spool.close();
    this.setStatus(failed ? { state: 'error', message: info.reason } : { state: 'ended', message: `Capture ended: ${info.reason}` });
    this.endEmitter.fire(info);
  }

  override dispose(): void {
    if (this.timer) clearInterval(this.timer);
    super.dispose();
    this.endEmitter.dispose();
    this.countEmitter.dispose();
    this.membersEmitter.dispose();
    this.refusedEmitter.dispose();
  }
}
