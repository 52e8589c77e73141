/**
 * Window reload: VS Code restores inspector tabs, but a live capture cannot
 * survive it (the helper's channel and the packets lived in the old extension
 * host). Decision: the tab comes back as an ended capture with a message that
 * says so, instead of vanishing or silently showing nothing. Saved files reopen
 * through the custom editor, which VS Code restores by itself.
 */
import * as vscode from 'vscode';
import { StaticCapture } from '../capture/fileCapture';
import { InspectorPanel, type InspectorDeps } from './inspectorPanel';

export const RELOAD_MESSAGE = 'This capture ended when the window reloaded; its packets were not kept. Save a capture to keep it.';

export class InspectorSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly deps: InspectorDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const container = containerFromState(state);
    const title = panel.title || (container ? `Capture: ${container.name}` : 'Capture');
    const model = new StaticCapture(title, container, [], { state: 'ended', message: RELOAD_MESSAGE });
    const panelBinding = new InspectorPanel(panel, model, container?.name ?? 'capture', this.deps);
    panelBinding.onDidClose(() => model.dispose());
  }
}

/** The webview may keep `{ container: { id, name } }` in its state; use it when it is there. */
function containerFromState(state: unknown): { id: string; name: string } | undefined {
  const c = (state as { container?: { id?: unknown; name?: unknown } } | undefined)?.container;
  return c && typeof c.id === 'string' && typeof c.name === 'string' ? { id: c.id, name: c.name } : undefined;
}
