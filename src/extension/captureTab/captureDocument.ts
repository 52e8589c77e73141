/**
 * The document behind one capture tab. It follows the tab's current model (a
 * live capture, or the ended capture read back after a reload; Capture Again
 * swaps in a new live one), tells VS Code when the tab holds packets that
 * were never saved (UnsavedPackets), and saves, reverts and backs up:
 * - save writes every packet (saveWholeCapture), asking where the first time;
 * - revert discards the tab's packets, as Clear does: packets cannot go back
 *   to an earlier state, and VS Code shows the tab clean after a revert, so
 *   keeping them would leave unsaved packets in a tab that says it has none;
 * - the hot-exit backup is the spool itself, already on disk: its path is the
 *   backup id, and it lives as long as the tab (deleting "the backup" when
 *   VS Code no longer needs it would delete the capture).
 */
import * as vscode from 'vscode';
import type { Subscription } from '../capture/emitter';
import type { InspectorModel } from '../capture/inspectorModel';
import type { TabDescription } from '../inspector/tabTitle';
import { saveWholeCapture } from '../save/saveWholeCapture';
import { recordOf, type CaptureTabRecords } from './captureTabRecords';
import { UnsavedPackets } from './unsavedPackets';

/** How long after a save returns before new packets may mark the tab dirty again (VS Code marks it clean in between). */
const SAVE_SETTLE_MS = 200;

export interface CaptureDocumentDeps {
  records: CaptureTabRecords;
  log: vscode.LogOutputChannel;
  /** Fires the provider's onDidChangeCustomDocument for this document. */
  changed(document: CaptureDocument): void;
  /** The tab's capture started or ended (undefined: the document is gone). */
  running(document: CaptureDocument, running: boolean | undefined): void;
}

export interface CaptureTabContent {
  model: InspectorModel;
  /** Names default save files: the container, or the tab's title. */
  baseName: string;
  description: TabDescription | undefined;
}

export class CaptureDocument implements vscode.CustomDocument {
  private current: CaptureTabContent;
  private subscriptions: Subscription[] = [];
  private readonly unsaved: UnsavedPackets;
  /** Where Save writes once the user has chosen a file. */
  private target: vscode.Uri | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly uri: vscode.Uri,
    readonly tabId: string,
    /** The tab's title (its URI's name), kept for the tab's whole life. */
    readonly title: string,
    content: CaptureTabContent,
    private readonly deps: CaptureDocumentDeps,
    /** Reopened from a hot-exit backup: VS Code shows it dirty already. */
    restoredDirty: boolean,
  ) {
    this.current = content;
    this.unsaved = new UnsavedPackets(() => deps.changed(this), restoredDirty);
    this.follow(content.model);
  }

  get content(): CaptureTabContent {
    return this.current;
  }

  /** Capture Again: the tab shows a new capture from now on. */
  rebind(content: CaptureTabContent): void {
    this.current = content;
    // A new capture: the next Save asks where again rather than overwrite the last one's file.
    this.target = undefined;
    this.follow(content.model);
    void this.deps.records.set(this.tabId, recordOf(content));
  }

  async save(destination: vscode.Uri | undefined, token: vscode.CancellationToken): Promise<void> {
    const { model, baseName } = this.current;
    this.deps.log.info(`Saving ${this.title}${destination ? ` as ${destination.fsPath}` : this.target ? ` to ${this.target.fsPath}` : ''}`);
    this.unsaved.saveStarted();
    let saved;
    try {
      saved = await saveWholeCapture(model, baseName, destination ?? this.target, this.deps.log);
    } catch (e) {
      this.unsaved.saveFailed();
      throw e;
    }
    if (!saved || token.isCancellationRequested) {
      this.unsaved.saveFailed();
      // Throwing keeps the tab open and unsaved; returning would tell VS Code it was saved.
      throw new vscode.CancellationError();
    }
    // Save As moves the tab to the saved file (VS Code reopens it there); Save keeps saving here.
    if (!destination) this.target = saved.target;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.unsaved.saveSettled(), SAVE_SETTLE_MS);
    const shown = vscode.workspace.asRelativePath(saved.target);
    void vscode.window.showInformationMessage(`Saved ${saved.packets.toLocaleString('en-US')} packet${saved.packets === 1 ? '' : 's'} of ${this.title} to ${shown}.`);
  }

  revert(): void {
    this.unsaved.reverted();
    this.current.model.clear();
  }

  async backup(): Promise<vscode.CustomDocumentBackup> {
    const spool = this.current.model.spool;
    // Without a spool the packets are only in memory: no backup, so VS Code
    // keeps asking before the window closes instead of losing them silently.
    if (!spool) throw new Error(`${this.title} has no spool on disk; its packets are in memory only`);
    await spool.snapshot();
    return { id: spool.path, delete: () => undefined };
  }

  dispose(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.deps.running(this, undefined);
    void this.deps.records.delete(this.tabId);
  }

  private follow(model: InspectorModel): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    const running = (): boolean => ['starting', 'capturing', 'stopping'].includes(model.status.state);
    this.deps.running(this, running());
    this.subscriptions.push(model.onDidChangeStatus(() => this.deps.running(this, running())));
    // Only a live capture brings packets that were never saved; a tab read
    // back from its spool is as dirty as VS Code restored it.
    if (!model.live) return;
    let endRecorded = false;
    this.subscriptions.push(
      model.onDidAddFrames(() => this.unsaved.packetsArrived()),
      model.onDidChangeStatus((status) => {
        if (endRecorded || (status.state !== 'ended' && status.state !== 'error')) return;
        endRecorded = true;
        void this.deps.records.ended(this.tabId, status);
      }),
    );
  }
}
