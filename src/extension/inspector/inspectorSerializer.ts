/**
 * Window reload: VS Code restores inspector tabs, but a live capture cannot
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
import { readSettings } from '../settings';
import { RestoredCapture } from '../spool/restoredCapture';
import { touchSpool, validateSpoolPath } from '../spool/spoolFolder';
import { readSpool } from '../spool/spoolReader';
import { StoredSpool } from '../spool/storedSpool';
import type { InspectorHostState } from './inspectorHtml';
import { InspectorPanel, type InspectorDeps } from './inspectorPanel';
import { restoredEndStatus, restoredHostState } from './restoredState';
import type { TabDescription } from './tabTitle';

export const RELOADED_REASON = 'the window was reloaded';
export const NOT_KEPT_MESSAGE = `${RELOADED_REASON}; its packets were not kept (no spool to read back). Save a capture to keep it.`;

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
    const container = host?.container;
    // A tab saved before the direction was kept: Capture Again takes both directions (the default).
    const description: TabDescription | undefined = container ? { direction: host?.direction ?? 'both', ...(host?.filter ? { filter: host.filter } : {}) } : undefined;
    const folder = await this.deps.spoolFolder;
    const spoolPath = folder && host ? await validateSpoolPath(folder, host.spool) : undefined;
    if (host && !spoolPath) this.deps.log.warn(`A restored inspector named a spool that is not usable: ${JSON.stringify(host.spool).slice(0, 300)}`);
    // The restored tab carries its host state again, for the next reload.
    const hostState: InspectorHostState | undefined = spoolPath && host ? { ...host, spool: spoolPath } : undefined;

    if (!spoolPath) {
      const model = new StaticCapture(title, container, [], { state: 'ended', message: NOT_KEPT_MESSAGE });
      new InspectorPanel(panel, model, container?.name ?? 'capture', this.deps, hostState, description).onDidClose(() => model.dispose());
      return;
    }
    await touchSpool(spoolPath);
    const spool = new StoredSpool(spoolPath, 0);
    const settings = readSettings();
    const model = new RestoredCapture(title, container, { maxPackets: settings.maxPackets, maxBytes: settings.maxMemoryBytes }, { state: 'file', message: 'Reading the packets back from the capture\'s spool…' }, spool);
    const binding = new InspectorPanel(panel, model, container?.name ?? 'capture', this.deps, hostState, description);
    binding.onDidClose(() => {
      void model.spool?.delete();
      model.dispose();
    });
    const started = Date.now();
    const result = await readSpool(spoolPath, (batch) => model.load(batch)).catch((e: unknown) => ({ packets: 0, problem: e instanceof Error ? e.message : String(e) }));
    spool.packets = result.packets;
    this.deps.log.info(`Restored ${title} after a reload: ${result.packets} packets from ${spoolPath} in ${Date.now() - started} ms${result.problem ? ` (${result.problem})` : ''}`);
    model.finishLoading(result.problem ? { ...endStatus, message: `${endStatus.message ?? ''} (the spool ends early: ${result.problem})` } : endStatus);
  }
}
