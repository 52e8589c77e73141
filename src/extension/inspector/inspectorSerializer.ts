/**
 * Window reload: VS Code restores inspector tabs, but a live capture cannot
 * survive it: the extension host that held its channel is gone, and the
 * helper ends its tcpdumps and exits when that channel closes (it never
 * outlives the window as root). So a tab comes back as an ended capture,
 * "Capture ended: the window was reloaded", with its packets re-read from the
 * capture's spool (the webview's saved state names it; the path is accepted
 * only inside our spool folder). Saved files reopen through the custom
 * editor, which VS Code restores by itself.
 */
import * as vscode from 'vscode';
import type { InspectorModel } from '../capture/inspectorModel';
import { StaticCapture } from '../capture/fileCapture';
import { readSettings } from '../settings';
import { RestoredCapture } from '../spool/restoredCapture';
import { touchSpool, validateSpoolPath } from '../spool/spoolFolder';
import { readSpool } from '../spool/spoolReader';
import { StoredSpool } from '../spool/storedSpool';
import type { InspectorHostState } from './inspectorHtml';
import { InspectorPanel, type InspectorDeps } from './inspectorPanel';

export const RELOADED_REASON = 'the window was reloaded';
export const NOT_KEPT_MESSAGE = `${RELOADED_REASON}; its packets were not kept (no spool to read back). Save a capture to keep it.`;

export class InspectorSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly deps: InspectorDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const host = hostStateFrom(state);
    const container = host?.container;
    const title = panel.title || (container ? `Capture: ${container.name}` : 'Capture');
    const folder = await this.deps.spoolFolder;
    const spoolPath = folder && host ? await validateSpoolPath(folder, host.spool) : undefined;
    if (host && !spoolPath) this.deps.log.warn(`A restored inspector named a spool that is not usable: ${JSON.stringify(host.spool).slice(0, 300)}`);

    let model: InspectorModel & { dispose(): void };
    if (spoolPath) {
      await touchSpool(spoolPath);
      const spool = new StoredSpool(spoolPath, 0);
      const settings = readSettings();
      const restored = new RestoredCapture(title, container, { maxPackets: settings.maxPackets, maxBytes: settings.maxMemoryBytes }, { state: 'ended', message: RELOADED_REASON }, spool);
      const started = Date.now();
      const result = await readSpool(spoolPath, (batch) => restored.load(batch)).catch((e: unknown) => ({ packets: 0, problem: e instanceof Error ? e.message : String(e) }));
      spool.packets = result.packets;
      this.deps.log.info(`Restored ${title} after a reload: ${result.packets} packets from ${spoolPath} in ${Date.now() - started} ms${result.problem ? ` (${result.problem})` : ''}`);
      if (result.problem) restored.finishLoading({ state: 'ended', message: `${RELOADED_REASON} (the spool ends early: ${result.problem})` });
      model = restored;
    } else {
      model = new StaticCapture(title, container, [], { state: 'ended', message: NOT_KEPT_MESSAGE });
    }
    // The restored tab carries the spool path again, for the next reload.
    const binding = new InspectorPanel(panel, model, container?.name ?? 'capture', this.deps, spoolPath ? { spool: spoolPath, ...(container ? { container } : {}) } : undefined);
    binding.onDidClose(() => {
      void model.spool?.delete();
      model.dispose();
    });
  }
}

/** `{ host: { spool, container? } }` as hostStateScript saves it; shapes are checked, the path later. */
function hostStateFrom(state: unknown): InspectorHostState | undefined {
  const host = (state as { host?: { spool?: unknown; container?: { id?: unknown; name?: unknown } } } | undefined)?.host;
  if (!host || typeof host.spool !== 'string') return undefined;
  const c = host.container;
  const container = c && typeof c.id === 'string' && typeof c.name === 'string' ? { id: c.id, name: c.name } : undefined;
  return container ? { spool: host.spool, container } : { spool: host.spool };
}
