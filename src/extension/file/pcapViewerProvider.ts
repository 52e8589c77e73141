/**
 * Opens .pcap/.cap/.pcapng files and saved captures/*.json in the packet inspector:
 * read-only, no capture, no root.
 */
import * as vscode from 'vscode';
import { StaticCapture } from '../capture/fileCapture';
import type { InspectorModelBase } from '../capture/inspectorModel';
import { openStreamedFile } from './openStreamedFile';
import type { InspectorDeps } from '../inspector/inspectorPanel';
import { InspectorPanel } from '../inspector/inspectorPanel';
import { decodeCaptureFile } from '../save/captureEncoding';

export const PCAP_VIEWER_VIEW_TYPE = 'dockerNetworkCapture.pcapViewer';

class CaptureFileDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    readonly model: InspectorModelBase,
  ) {}

  dispose(): void {
    this.model.dispose();
  }
}

export class PcapViewerProvider implements vscode.CustomReadonlyEditorProvider<CaptureFileDocument> {
  constructor(private readonly deps: InspectorDeps) {}

  async openCustomDocument(uri: vscode.Uri): Promise<CaptureFileDocument> {
    const name = uri.path.split('/').pop() ?? uri.path;
    // A large local pcap is streamed and indexed, never read whole (issue 12 goal 9).
    const streamed = uri.scheme === 'file' ? await openStreamedFile(uri.fsPath, name, (m) => this.deps.log.info(m)) : undefined;
    if (streamed) return new CaptureFileDocument(uri, streamed);
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch (e) {
      throw new Error(`Cannot read ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const started = Date.now();
    const file = decodeCaptureFile(name, bytes);
    this.deps.log.info(`Opened ${uri.fsPath}: ${file.frames.length} packets in ${Date.now() - started} ms${file.problem ? ` (${file.problem})` : ''}`);
    if (file.problem) void vscode.window.showWarningMessage(`${name}: ${file.problem}`);
    const message = `${file.frames.length.toLocaleString('en-US')} packets from ${name}${file.problem ? ` — ${file.problem}` : ''}`;
    return new CaptureFileDocument(uri, new StaticCapture(name, undefined, file.frames, { state: 'file', message }));
  }

  resolveCustomEditor(document: CaptureFileDocument, panel: vscode.WebviewPanel): void {
    const stem = (document.uri.path.split('/').pop() ?? 'capture').replace(/\.(pcap|cap|json)$/i, '');
    new InspectorPanel(panel, document.model, stem, this.deps);
  }
}
