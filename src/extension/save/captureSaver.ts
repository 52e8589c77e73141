/**
 * Save as JSON / pcap from an inspector: the packets in memory, or only the
 * filtered rows, through the save dialog (whose pcap choice also offers
 * pcapng, written when the name ends in .pcapng: pcapngSave.ts), defaulting to
 * `<workspace>/captures/<container>-<yyyymmdd-hhmmss>.<ext>`. "Save as pcap"
 * of everything copies the capture's spool when it has one: that holds every
 * packet, also those the in-memory limit dropped from view.
 */
import * as vscode from 'vscode';
import type { SaveFormat } from '../../protocol/webviewMessages';
import type { InspectorModel } from '../capture/inspectorModel';
import { copySpoolTo, readSpoolBytes } from '../spool/copySpool';
import type { SpoolSnapshot } from '../spool/spoolFile';
import { defaultCaptureRelativePath } from './captureFileName';
import { encodeJsonCapture, encodePcapCapture } from './captureEncoding';
import { encodePcapngCapture, PCAPNG_NAME, spoolFrames } from './pcapngSave';

/** pcap first (the default); pcapng keeps interfaces, directions and containers. */
const PCAP_FILTERS = { 'pcap capture': ['pcap', 'cap'], 'pcapng capture': ['pcapng'] };

export class CaptureSaver {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** `baseName` names the default file (the container, or the opened file's stem). */
  async save(model: InspectorModel, format: SaveFormat, packetNumbers: number[] | undefined, baseName: string): Promise<void> {
    if (model.bytesOnDemand) {
      // Its packets are not in memory: saving from the store would write an empty file.
      void vscode.window.showInformationMessage(`Save is not available for ${model.title}: it is too large to hold in memory, and it is already on disk. To save filtered packets: tshark -r FILE -Y FILTER -w OUT.`);
      return;
    }
    if (format === 'pcap' && packetNumbers === undefined && model.spool) {
      const snapshot = await model.spool.snapshot();
      if (snapshot && snapshot.packets > 0) return this.saveSpool(model, snapshot, baseName);
    }
    const dropped = model.store.droppedFromMemory;
    const frames = model.store.select(packetNumbers);
    if (frames.length === 0) {
      void vscode.window.showInformationMessage('There are no packets to save.');
      return;
    }
    const target = await vscode.window.showSaveDialog({
      defaultUri: await defaultUri(baseName, format),
      filters: format === 'json' ? { 'Capture JSON': ['json'] } : PCAP_FILTERS,
      saveLabel: format === 'json' ? 'Save as JSON' : 'Save as pcap',
      title: `Save ${frames.length.toLocaleString('en-US')} packet${frames.length === 1 ? '' : 's'}`,
    });
    if (!target) return;
    try {
      let bytes: Uint8Array;
      if (format === 'json') {
        bytes = encodeJsonCapture(frames);
      } else if (PCAPNG_NAME.test(target.path)) {
        bytes = encodePcapngCapture(frames);
      } else {
        const result = encodePcapCapture(frames);
        bytes = result.bytes;
        if (result.skipped > 0) void vscode.window.showWarningMessage(`${result.skipped} packets of another link type were left out of the pcap file.`);
      }
      await vscode.workspace.fs.writeFile(target, bytes);
      this.log.info(`Saved ${frames.length} packets to ${target.fsPath}`);
      // JSON is written from memory: say what is not in it.
      const note = dropped > 0 && packetNumbers === undefined ? ` ${dropped.toLocaleString('en-US')} older packets had been dropped from view and are not in it.` : '';
      await this.offerOpen(`Saved ${frames.length.toLocaleString('en-US')} packets to ${vscode.workspace.asRelativePath(target)}.${note}`, target);
    } catch (e) {
      this.reportFailure(target, e);
    }
  }

  /** Every packet of the capture, from its spool. */
  private async saveSpool(model: InspectorModel, snapshot: SpoolSnapshot, baseName: string): Promise<void> {
    const dropped = model.store.droppedFromMemory;
    const count = snapshot.packets.toLocaleString('en-US');
    const target = await vscode.window.showSaveDialog({
      defaultUri: await defaultUri(baseName, 'pcap'),
      filters: PCAP_FILTERS,
      saveLabel: 'Save as pcap',
      title: model.status.spoolCapped
        ? `Save the first ${count} packets (the spool reached its size cap, dockerNetworkCapture.maxSpoolMB; later packets are not in it)`
        : dropped > 0 ? `Save all ${count} packets (${dropped.toLocaleString('en-US')} older ones are no longer in view)` : `Save ${count} packet${snapshot.packets === 1 ? '' : 's'}`,
    });
    if (!target) return;
    try {
      if (PCAPNG_NAME.test(target.path)) await vscode.workspace.fs.writeFile(target, encodePcapngCapture(await spoolFrames(snapshot.path)));
      else if (target.scheme === 'file') await copySpoolTo(snapshot, target.fsPath);
      else await vscode.workspace.fs.writeFile(target, await readSpoolBytes(snapshot));
      this.log.info(`Saved ${snapshot.packets} packets from the spool ${snapshot.path} to ${target.fsPath}`);
      await this.offerOpen(`Saved ${count} packets to ${vscode.workspace.asRelativePath(target)}.`, target);
    } catch (e) {
      this.reportFailure(target, e);
    }
  }

  private async offerOpen(message: string, target: vscode.Uri): Promise<void> {
    const open = await vscode.window.showInformationMessage(message, 'Open');
    if (open === 'Open') await vscode.commands.executeCommand('vscode.openWith', target, 'dockerNetworkCapture.pcapViewer');
  }

  private reportFailure(target: vscode.Uri, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.log.error(`Saving to ${target.fsPath} failed: ${message}`);
    void vscode.window.showErrorMessage(`Could not save the capture: ${message}`);
  }
}

/** `<first workspace folder>/captures/<name>-<stamp>.<ext>`; the folder is created so the dialog can open in it. */
async function defaultUri(baseName: string, format: SaveFormat): Promise<vscode.Uri | undefined> {
  const [dir, file] = defaultCaptureRelativePath(baseName, format, new Date());
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder || !dir || !file) return file ? vscode.Uri.file(file) : undefined;
  const capturesDir = vscode.Uri.joinPath(folder, dir);
  try {
    await vscode.workspace.fs.createDirectory(capturesDir);
  } catch {
    // read-only workspace: the dialog still opens, wherever it can
  }
  return vscode.Uri.joinPath(capturesDir, file);
}
