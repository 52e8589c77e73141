/**
 * Follow Stream's Save Raw: the webview sends the bytes, the user picks where they go.
 * The suggested name comes from the webview (a less trusted runtime), so only its last
 * path component, in a safe alphabet, is used, and only as a suggestion.
 */
import * as vscode from 'vscode';

export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return clean.slice(0, 100) || 'stream.bin';
}

export async function saveStreamBytes(name: string, bytes: Uint8Array): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const suggested = safeFileName(name);
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggested) : vscode.Uri.file(suggested),
    saveLabel: 'Save Raw',
    title: 'Save the stream\'s bytes',
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`Saved ${bytes.length} bytes to ${target.fsPath}`);
}
