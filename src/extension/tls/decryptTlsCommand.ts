/**
 * Decrypt TLS with Key Log… on the active inspector tab (a capture or an opened pcap):
 * a key log file on this machine (file picker) or one inside a container, typed as
 * `container:NAME:/path` and checked as it is typed.
 */
import * as vscode from 'vscode';
import { KeyLogSpecError, parseKeyLogSpec, type KeyLogSpec } from '../../client/tls/keyLogSpec';
import { InspectorPanel } from '../inspector/inspectorPanel';

export const DECRYPT_TLS_COMMAND = 'dockerNetworkCapture.decryptTls';

/** `dockerNetworkCapture.decryptTls`; `keyLog` (a path or `container:NAME:/path`) skips the questions (tests, keybindings). */
export async function runDecryptTls(log: vscode.LogOutputChannel, keyLog?: unknown): Promise<void> {
  const panel = InspectorPanel.active();
  if (!panel) {
    void vscode.window.showInformationMessage('Open a capture or a pcap file in the packet inspector first.');
    return;
  }
  let spec: KeyLogSpec | undefined;
  try {
    spec = typeof keyLog === 'string' ? parseKeyLogSpec(keyLog) : await askForKeyLog();
  } catch (e) {
    void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
    return;
  }
  if (!spec) return;
  try {
    await panel.decryptTls(spec, log);
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot decrypt TLS: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// The questions stay open when focus moves: this command runs from an inspector tab, and
// the webview taking focus back as the palette closes would otherwise dismiss the pick
// before the user (or a test) sees it.
async function askForKeyLog(): Promise<KeyLogSpec | undefined> {
  const file = 'Key log file on this machine…';
  const container = 'Key log inside a container…';
  const choice = await vscode.window.showQuickPick([
    { label: file, detail: 'An SSLKEYLOGFILE written by curl, Node, Python, Go, a browser or OpenSSL' },
    { label: container, detail: 'Read through the Docker API while the capture runs: container:NAME:/path' },
  ], { title: 'Decrypt TLS with Key Log', ignoreFocusOut: true });
  if (!choice) return undefined;
  if (choice.label === file) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Decrypt with This Key Log', title: 'TLS Key Log' });
    const uri = picked?.[0];
    return uri ? { kind: 'file', path: uri.fsPath } : undefined;
  }
  const text = await vscode.window.showInputBox({
    title: 'Key log inside a container',
    prompt: 'container:NAME:/absolute/path, e.g. container:web:/tmp/keys.log',
    value: 'container:',
    ignoreFocusOut: true,
    validateInput: (value) => containerSpecProblem(value),
  });
  return text === undefined ? undefined : parseKeyLogSpec(text.trim());
}

/** Undefined when `value` names a key log inside a container; otherwise what is wrong. */
export function containerSpecProblem(value: string): string | undefined {
  const text = value.trim();
  if (!text.startsWith('container:')) return 'Start with container:NAME:/path';
  try {
    parseKeyLogSpec(text);
    return undefined;
  } catch (e) {
    return e instanceof KeyLogSpecError ? 'Expected container:NAME:/absolute/path' : String(e);
  }
}
