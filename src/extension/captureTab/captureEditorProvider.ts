/**
 * Capture tabs as custom editors. A plain webview panel cannot refuse to
 * close; a custom editor on a document VS Code knows is dirty can: VS Code
 * itself asks "Save / Don't Save / Cancel" when such a tab closes, and keeps
 * it through a window reload (hot exit) from the backup we give it.
 *
 * A new capture opens with `vscode.openWith` on its tab URI (captureTabUri.ts)
 * after leaving its model here (`open`); VS Code then calls
 * openCustomDocument and resolveCustomEditor, which bind the model to the
 * tab's webview (InspectorPanel). A tab VS Code reopens after a reload has no
 * model waiting: it is read back from the spool its record names (or, for a
 * tab restored from a hot-exit backup, the spool the backup id names).
 *
 * VS Code names a custom editor's tab after its URI and ignores the panel's
 * title, so the title is fixed when the tab opens; live and ended tabs differ
 * by their decoration instead (captureTabDecorations.ts).
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { CaptureStatus } from '../../protocol/webviewMessages';
import { groupLabel } from '../capture/containerGroup';
import type { InspectorModel } from '../capture/inspectorModel';
import { InspectorPanel, type CaptureTabOpener, type InspectorDeps } from '../inspector/inspectorPanel';
import { restoredEndStatus, restoredHostState } from '../inspector/restoredState';
import type { TabDescription } from '../inspector/tabTitle';
import { CaptureDocument, type CaptureDocumentDeps } from './captureDocument';
import type { CaptureTabDecorations } from './captureTabDecorations';
import { recordOf, type CaptureTabRecords } from './captureTabRecords';
import { CAPTURE_TAB_SCHEME, captureTabUriParts, parseCaptureTabUri } from './captureTabUri';
import { RELOADED_REASON, restoreSpooledCapture } from './spooledCaptureRestore';

export const CAPTURE_TAB_VIEW_TYPE = 'dockerNetworkCapture.captureTab';
/** Bound on waiting for VS Code to show a tab it was asked to open. */
const OPEN_TIMEOUT_MS = 60_000;

interface PendingTab {
  model: InspectorModel;
  baseName: string;
  description: TabDescription | undefined;
  bound?: (panel: InspectorPanel) => void;
}

export class CaptureEditorProvider implements vscode.CustomEditorProvider<CaptureDocument>, CaptureTabOpener {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.CustomDocumentContentChangeEvent<CaptureDocument>>();
  readonly onDidChangeCustomDocument = this.changeEmitter.event;
  /** Models of tabs being opened, by tab id, until VS Code asks for their document. */
  private readonly pending = new Map<string, PendingTab>();
  /** What to do once a restored tab's webview is gone. */
  private readonly discards = new WeakMap<CaptureDocument, () => void>();
  private readonly documentDeps: CaptureDocumentDeps;

  constructor(
    private readonly deps: InspectorDeps,
    private readonly records: CaptureTabRecords,
    decorations: CaptureTabDecorations,
  ) {
    this.documentDeps = {
      records,
      log: deps.log,
      changed: (document) => this.changeEmitter.fire({ document }),
      running: (document, running) => decorations.set(document.uri, running),
    };
  }

  /** Opens a tab titled `title` for a new capture; resolves with its binding once VS Code shows it. */
  async open(model: InspectorModel, tab: { title: string; baseName: string; description: TabDescription | undefined }): Promise<InspectorPanel> {
    const tabId = randomBytes(16).toString('hex');
    const uri = vscode.Uri.from({ scheme: CAPTURE_TAB_SCHEME, ...captureTabUriParts({ title: tab.title, tabId }) });
    let bound: (panel: InspectorPanel) => void = () => undefined;
    const shown = new Promise<InspectorPanel>((resolve) => (bound = resolve));
    this.pending.set(tabId, { model, baseName: tab.baseName, description: tab.description, bound });
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, CAPTURE_TAB_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('VS Code did not show the capture tab')), OPEN_TIMEOUT_MS);
      });
      try {
        return await Promise.race([shown, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.pending.delete(tabId);
    }
  }

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): Promise<CaptureDocument> {
    const address = parseCaptureTabUri(uri.scheme, uri.path, uri.query);
    if (!address) throw new Error(`Not a capture tab: ${uri.toString()}`);
    const pending = this.pending.get(address.tabId);
    if (pending) {
      const content = { model: pending.model, baseName: pending.baseName, description: pending.description };
      const document = new CaptureDocument(uri, address.tabId, address.title, content, this.documentDeps, false);
      await this.records.set(address.tabId, recordOf(content));
      return document;
    }
    return this.reopen(uri, address.tabId, address.title, openContext.backupId);
  }

  resolveCustomEditor(document: CaptureDocument, panel: vscode.WebviewPanel): void {
    const { model, baseName, description } = document.content;
    const binding = new InspectorPanel(panel, model, baseName, this.deps, undefined, description, { title: document.title, document });
    const discard = this.discards.get(document);
    if (discard) binding.onDidClose(discard);
    this.pending.get(document.tabId)?.bound?.(binding);
  }

  saveCustomDocument(document: CaptureDocument, cancellation: vscode.CancellationToken): Promise<void> {
    return document.save(undefined, cancellation);
  }

  saveCustomDocumentAs(document: CaptureDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Promise<void> {
    return document.save(destination, cancellation);
  }

  revertCustomDocument(document: CaptureDocument): Promise<void> {
    document.revert();
    return Promise.resolve();
  }

  backupCustomDocument(document: CaptureDocument): Promise<vscode.CustomDocumentBackup> {
    return document.backup();
  }

  /** Drops the records of tabs whose spool is gone (the spool folder's clean-up removed it). */
  pruneRecords(): Promise<void> {
    return this.records.prune((path) => stat(path).then(() => true, () => false));
  }

  /** A tab VS Code reopens after a reload: an ended capture read back from its spool. */
  private async reopen(uri: vscode.Uri, tabId: string, title: string, backupId: string | undefined): Promise<CaptureDocument> {
    const record = this.records.get(tabId);
    // The record is ours, but checked like any stored state; a hot-exit backup's id is its spool.
    const host = restoredHostState({ host: { ...record, spool: record?.spool ?? backupId } });
    const endStatus: CaptureStatus = restoredEndStatus({ endStatus: record?.end }) ?? { state: 'ended', message: RELOADED_REASON };
    const restored = await restoreSpooledCapture(this.deps, title, host, endStatus);
    const baseName = host?.container?.name ?? (host?.group ? groupLabel(host.group) : 'capture');
    const content = { model: restored.model, baseName, description: restored.description };
    const document = new CaptureDocument(uri, tabId, title, content, this.documentDeps, backupId !== undefined);
    if (restored.spoolPath && !record) await this.records.set(tabId, { ...recordOf(content), spool: restored.spoolPath });
    this.discards.set(document, () => restored.discard());
    // Read in the background: the tab shows (with a progress message) meanwhile.
    void restored.read();
    return document;
  }
}
