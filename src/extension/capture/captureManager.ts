/**
 * Every running capture, and the status-bar item that shows their packet count
 * while any runs ("$(record) N packets"; clicking it stops the active tab's
 * capture, or asks before stopping all: statusBarStop.ts).
 */
import * as vscode from 'vscode';
import type { CaptureEndInfo } from '../../client/captureClient';
import { Disposable } from '../disposable';
import type { InspectorDeps, InspectorPanel } from '../inspector/inspectorPanel';
import { startContainerGroup, type ContainerGroup, type ContainerGroupOptions } from './containerGroupStart';
import type { Subscription } from './emitter';
import { STOP_FROM_STATUS_BAR_COMMAND } from './statusBarStop';

/**
 * A running capture as the manager counts and stops it: one container's
 * (CaptureSession, `container`) or several containers' in one tab
 * (MultiCaptureSession, `label` and `containerIds`).
 */
export interface ManagedCapture {
  readonly container?: { id: string; name: string } | undefined;
  readonly label?: string;
  readonly containerIds?: ReadonlySet<string>;
  readonly packetsCaptured: number;
  readonly onDidCount: (listener: (count: number) => void) => Subscription;
  readonly onDidEnd: (listener: (info: CaptureEndInfo) => void) => Subscription;
  stop(): Promise<void>;
}

function idsOf(capture: ManagedCapture): string[] {
  return capture.containerIds ? [...capture.containerIds] : capture.container ? [capture.container.id] : [];
}

export const STOP_ALL_COMMAND = 'dockerNetworkCapture.capture.stopAll';

export class CaptureManager extends Disposable {
  private readonly sessions = new Set<ManagedCapture>();
  private readonly statusItem: vscode.StatusBarItem;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly runningEmitter = this._register(new vscode.EventEmitter<void>());
  /** A capture started or ended (the tree marks the containers being captured). */
  readonly onDidChangeRunning = this.runningEmitter.event;

  constructor() {
    super();
    this.statusItem = this._register(vscode.window.createStatusBarItem('dockerNetworkCapture.captures', vscode.StatusBarAlignment.Left, 100));
    this.statusItem.name = 'Docker Network Capture';
    this.statusItem.command = STOP_FROM_STATUS_BAR_COMMAND;
  }

  add(session: ManagedCapture): void {
    this.sessions.add(session);
    const counting = session.onDidCount(() => this.scheduleUpdate());
    const ending = session.onDidEnd(() => {
      counting.dispose();
      ending.dispose();
      this.remove(session);
    });
    this.update();
    this.runningEmitter.fire();
  }

  /** Ids of the containers being captured now. */
  get capturedContainerIds(): ReadonlySet<string> {
    return new Set([...this.sessions].flatMap(idsOf));
  }

  /** Names of the containers captured on their own now (a re-attach offer is not made for them). */
  get capturedContainerNames(): ReadonlySet<string> {
    return new Set([...this.sessions].flatMap((s) => (s.container ? [s.container.name] : [])));
  }

  get running(): ManagedCapture[] {
    return [...this.sessions];
  }

  /**
   * Captures several containers in one inspector tab: a selection in the tree,
   * or a Compose project (followed: its containers that start join, those that
   * stop leave). The backend is chosen by multiContainerBackend.ts.
   */
  captureMany(group: ContainerGroup, options: ContainerGroupOptions, deps: InspectorDeps, reuse?: InspectorPanel): Promise<void> {
    return startContainerGroup(group, options, deps, (capture) => {
      this.add(capture);
      // Joins and leaves change which tree rows are marked.
      const members = capture.onDidChangeMembers(() => {
        if (!this.isDisposed) this.runningEmitter.fire();
      });
      capture.onDidEnd(() => members.dispose());
    }, reuse);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.stop()));
  }

  override dispose(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    void this.stopAll();
    super.dispose();
  }

  private remove(session: ManagedCapture): void {
    this.sessions.delete(session);
    this.update();
    if (!this.isDisposed) this.runningEmitter.fire();
  }

  /** Packet counts change thousands of times a second; the status bar needs four. */
  private scheduleUpdate(): void {
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.update();
    }, 250);
  }

  private update(): void {
    if (this.isDisposed) return;
    if (this.sessions.size === 0) {
      this.statusItem.hide();
      return;
    }
    let total = 0;
    for (const s of this.sessions) total += s.packetsCaptured;
    this.statusItem.text = `$(record) ${total.toLocaleString('en-US')} packets`;
    const names = [...this.sessions].map((s) => s.label ?? s.container?.name ?? '').join(', ');
    this.statusItem.tooltip = `Capturing: ${names}\nClick to stop ${this.sessions.size === 1 ? 'the capture' : 'the active tab\'s capture (or all, after asking)'}`;
    this.statusItem.show();
  }
}
