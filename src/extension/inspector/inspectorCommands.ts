/**
 * The inspector's context-menu commands (package.json `menus.webview/context`).
 * VS Code calls them with the merged `data-vscode-context` of what was
 * right-clicked (see webview/vscodeContext.ts): the inspector instance, the
 * packet number, the column or the tree field.
 */
import * as vscode from 'vscode';
import { INSPECTOR_ACTIONS } from '../../protocol/webviewMessages';
import { contextActionMessage } from './contextActionMessage';
import { postToActiveInspector, postToAllInspectors } from './inspectorRegistry';

export const INSPECTOR_COMMAND_PREFIX = 'dockerNetworkCapture.inspector.';

/** Registers one command per action: `dockerNetworkCapture.inspector.<action>`. */
export function registerInspectorCommands(push: (d: vscode.Disposable) => void): void {
  for (const action of INSPECTOR_ACTIONS) {
    push(vscode.commands.registerCommand(INSPECTOR_COMMAND_PREFIX + action, (context: unknown) => {
      const message = contextActionMessage(action, context);
      if (message) postToAllInspectors(message);
      // No menu context: the Command Palette (the palette shows only PALETTE_ACTIONS).
      else if (context === undefined && !postToActiveInspector({ type: 'paletteAction', action })) {
        void vscode.window.showInformationMessage('Open a capture or a pcap file in the packet inspector first.');
      }
    }));
  }
}
