/**
 * Every running capture, and the status-bar item that shows their packet count
 * while any runs ("$(record) N packets"; clicking it stops the active tab's
 * capture, or asks before stopping all: statusBarStop.ts).
 */
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { CaptureSession } from './captureSession';
import { STOP_FROM_STATUS_BAR_COMMAND } from './statusBarStop';

export const STOP_ALL_COMMAND = 'dockerNetworkCapture.capture.stopAll';

export class CaptureManager extends Disposable {
  private readonly sessions = new Set<CaptureSession>();
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

  add(session: CaptureSession): void {
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
    return new Set([...this.sessions].map((s) => s.container.id));
  }

  get running(): CaptureSession[] {
    return [...this.sessions];
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.stop()));
  }

  override dispose(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    void this.stopAll();
    super.dispose();
  }

  private remove(session: CaptureSession): void {
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
    const names = [...this.sessions].map((s) => s.container.name).join(', ');
    this.statusItem.tooltip = `Capturing: ${names}\nClick to stop ${this.sessions.size === 1 ? 'the capture' : 'the active tab\'s capture (or all, after asking)'}`;
    this.statusItem.show();
  }
}
