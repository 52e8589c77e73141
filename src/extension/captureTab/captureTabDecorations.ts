/**
 * Live and ended capture tabs look different. A custom editor's tab is named
 * after its URI, so a title suffix such as " (ended)" cannot be set once it is
 * open; a file decoration can change: VS Code paints it on the tab (label
 * colour, settings workbench.editor.decorations.*). A running capture's
 * title is red, an ended one's dimmed. No badge: a record symbol is missing
 * from common fonts (it showed as an empty box in code-server's Chromium).
 */
import * as vscode from 'vscode';
import { CAPTURE_TAB_SCHEME } from './captureTabUri';

export class CaptureTabDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  /** Running or not, by tab URI; tabs not listed are not decorated. */
  private readonly running = new Map<string, boolean>();

  set(uri: vscode.Uri, running: boolean | undefined): void {
    const key = uri.toString();
    if (this.running.get(key) === running) return;
    if (running === undefined) this.running.delete(key);
    else this.running.set(key, running);
    this.emitter.fire(uri);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== CAPTURE_TAB_SCHEME) return undefined;
    const running = this.running.get(uri.toString());
    if (running === undefined) return undefined;
    return running
      ? new vscode.FileDecoration(undefined, 'Capturing', new vscode.ThemeColor('charts.red'))
      : new vscode.FileDecoration(undefined, 'Capture ended', new vscode.ThemeColor('disabledForeground'));
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
