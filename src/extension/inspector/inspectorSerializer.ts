/**
 * Window reload of a capture tab opened by a version before capture tabs
 * became custom editors (those reopen through CaptureEditorProvider; this
 * keeps tabs a user had open across the upgrade). VS Code restores inspector tabs, but a live capture cannot
 * survive it: the extension host that held its channel is gone, and the
 * helper ends its tcpdumps and exits when that channel closes (it never
 * outlives the window as root). So a tab comes back as an ended capture with
 * its packets re-read from the capture's spool (the webview's saved state
 * names it; the path is accepted only inside our spool folder). Its end reason
 * is the one it showed before the reload ("container stopped" stays that),
 * or "the window was reloaded" for a capture that was still running; Capture
 * Again starts it anew in the same tab. Saved files reopen through the custom
 * editor, which VS Code restores by itself.
 *
 * The tab gets its HTML before its packets are read back, and whatever goes
 * wrong still leaves a tab that says so: a tab VS Code restores shows a
 * progress bar until this returns, and without HTML it stays blank.
 */
import * as vscode from 'vscode';
import type { CaptureStatus } from '../../protocol/webviewMessages';
import { StaticCapture } from '../capture/fileCapture';
import { RELOADED_REASON, restoreSpooledCapture } from '../captureTab/spooledCaptureRestore';
import type { InspectorHostState } from './inspectorHtml';
import { InspectorPanel, type InspectorDeps } from './inspectorPanel';
import { restoredEndStatus, restoredHostState } from './restoredState';

export { NOT_KEPT_MESSAGE, RELOADED_REASON } from '../captureTab/spooledCaptureRestore';

export class InspectorSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly deps: InspectorDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const host = restoredHostState(state);
    const title = panel.title || (host?.container ? `Capture: ${host.container.name}` : 'Capture');
    try {
      await this.restore(panel, title, host, restoredEndStatus(state) ?? { state: 'ended', message: RELOADED_REASON });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`Restoring ${title} after a reload failed: ${message}`);
      const model = new StaticCapture(title, host?.container, [], { state: 'error', message: `could not be restored after the reload: ${message}` });
      new InspectorPanel(panel, model, host?.container?.name ?? 'capture', this.deps).onDidClose(() => model.dispose());
    }
  }

  private async restore(panel: vscode.WebviewPanel, title: string, host: InspectorHostState | undefined, endStatus: CaptureStatus): Promise<void> {
    const restored = await restoreSpooledCapture(this.deps, title, host, endStatus);
    // The restored tab carries its host state again, for the next reload.
    const hostState: InspectorHostState | undefined = restored.spoolPath && host ? { ...host, spool: restored.spoolPath } : undefined;
    new InspectorPanel(panel, restored.model, host?.container?.name ?? 'capture', this.deps, hostState, restored.description).onDidClose(() => restored.discard());
    await restored.read();
  }
}
