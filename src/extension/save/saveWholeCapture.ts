/**
 * Save of a capture tab as a document (Ctrl+S, File: Save, or Save in the
 * "save before closing?" question): every packet, as pcap or, when the file
 * name ends in .pcapng or .json, as pcapng (interfaces, directions,
 * containers) or capture JSON. The first save asks where; the tab then
 * saves to that file again, as an editor does. A pcap comes from the
 * capture's spool when it has one (every packet, also those dropped from
 * memory), else from memory. Failures are shown and thrown, so VS Code keeps
 * the tab open and unsaved.
 */
import * as vscode from 'vscode';
import type { InspectorModel } from '../capture/inspectorModel';
import { copySpoolTo, readSpoolBytes } from '../spool/copySpool';
import { defaultCaptureRelativePath } from './captureFileName';
import { encodeJsonCapture, encodePcapCapture } from './captureEncoding';
import { encodePcapngCapture, PCAPNG_NAME, spoolFrames } from './pcapngSave';

export interface WholeCaptureSaved {
  target: vscode.Uri;
  packets: number;
}

/** Asks where to save (no `target` yet), then writes; undefined when the user cancelled the dialog. */
export async function saveWholeCapture(model: InspectorModel, baseName: string, target: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<WholeCaptureSaved | undefined> {
  const where = target ?? (await vscode.window.showSaveDialog({
    defaultUri: await defaultPcapUri(baseName),
    filters: { 'pcap capture': ['pcap', 'cap'], 'pcapng capture': ['pcapng'], 'Capture JSON': ['json'] },
    saveLabel: 'Save Capture',
    title: `Save ${model.title}`,
  }));
  if (!where) return undefined;
  try {
    const packets = /\.json$/i.test(where.path) ? await writeJson(model, where) : PCAPNG_NAME.test(where.path) ? await writePcapng(model, where) : await writePcap(model, where, log);
    log.info(`Saved ${model.title}: ${packets} packets to ${where.fsPath}`);
    return { target: where, packets };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.error(`Saving ${model.title} to ${where.fsPath} failed: ${message}`);
    void vscode.window.showErrorMessage(`Could not save the capture: ${message}`);
    throw e;
  }
}

async function writePcap(model: InspectorModel, target: vscode.Uri, log: vscode.LogOutputChannel): Promise<number> {
  const snapshot = await model.spool?.snapshot();
  if (snapshot && snapshot.packets > 0) {
    if (target.scheme === 'file') await copySpoolTo(snapshot, target.fsPath);
    else await vscode.workspace.fs.writeFile(target, await readSpoolBytes(snapshot));
    if (model.status.spoolCapped) log.warn(`${model.title}: the spool had reached its size cap; the file holds its first ${snapshot.packets} packets`);
    return snapshot.packets;
  }
  const frames = model.store.select(undefined);
  const result = encodePcapCapture(frames);
  await vscode.workspace.fs.writeFile(target, result.bytes);
  if (result.skipped > 0) void vscode.window.showWarningMessage(`${result.skipped} packets of another link type were left out of the pcap file.`);
  return frames.length - result.skipped;
}

/** Every packet, from the spool when there is one (as pcap does), as pcapng. */
async function writePcapng(model: InspectorModel, target: vscode.Uri): Promise<number> {
  const snapshot = await model.spool?.snapshot();
  const frames = snapshot && snapshot.packets > 0 ? await spoolFrames(snapshot.path) : model.store.select(undefined);
  await vscode.workspace.fs.writeFile(target, encodePcapngCapture(frames));
  return frames.length;
}

async function writeJson(model: InspectorModel, target: vscode.Uri): Promise<number> {
  const frames = model.store.select(undefined);
  await vscode.workspace.fs.writeFile(target, encodeJsonCapture(frames));
  const dropped = model.store.droppedFromMemory;
  if (dropped > 0) void vscode.window.showWarningMessage(`JSON is written from memory: ${dropped.toLocaleString('en-US')} older packets had been dropped from view and are not in it (save as pcap to keep every packet).`);
  return frames.length;
}

/** `<first workspace folder>/captures/<name>-<stamp>.pcap`, the folder made so the dialog can open in it. */
async function defaultPcapUri(baseName: string): Promise<vscode.Uri | undefined> {
  const [dir, file] = defaultCaptureRelativePath(baseName, 'pcap', new Date());
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder || !dir || !file) return file ? vscode.Uri.file(file) : undefined;
  const capturesDir = vscode.Uri.joinPath(folder, dir);
  await Promise.resolve(vscode.workspace.fs.createDirectory(capturesDir)).catch(() => undefined);
  return vscode.Uri.joinPath(capturesDir, file);
}
