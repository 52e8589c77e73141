/**
 * An ended capture brought back after a window reload from its spool: the
 * model the tab shows, and the reading of the spool into it. Both kinds of
 * restored tab use it: capture tabs (custom editors, reopened by URI) and
 * the webview panels of earlier versions (InspectorSerializer).
 *
 * The model exists before the spool is read, so the tab can show itself (and
 * a progress message) first; `read` fills it and sets the end status, naming
 * a spool that ends early. A spool path is used only if it names a file in
 * our spool folder (validateSpoolPath): it comes from stored state.
 */
import type * as vscode from 'vscode';
import type { CaptureStatus } from '../../protocol/webviewMessages';
import { StaticCapture } from '../capture/fileCapture';
import type { InspectorModel } from '../capture/inspectorModel';
import type { InspectorHostState } from '../inspector/inspectorHtml';
import type { TabDescription } from '../inspector/tabTitle';
import { readSettings } from '../settings';
import { RestoredCapture } from '../spool/restoredCapture';
import { touchSpool, validateSpoolPath } from '../spool/spoolFolder';
import { readSpool } from '../spool/spoolReader';
import { StoredSpool } from '../spool/storedSpool';

export const RELOADED_REASON = 'the window was reloaded';
export const NOT_KEPT_MESSAGE = `${RELOADED_REASON}; its packets were not kept (no spool to read back). Save a capture to keep it.`;

export interface SpooledCaptureRestore {
  model: InspectorModel & { dispose(): void };
  /** What Capture Again starts again (with the model's container or group); undefined when neither is known. */
  description: TabDescription | undefined;
  /** The validated spool, when there is one. */
  spoolPath: string | undefined;
  /** Reads the spool into the model, then sets the end status. Never rejects. */
  read(): Promise<void>;
  /** The tab closed: the model goes, and so does its spool. */
  discard(): void;
}

export interface RestoreDeps {
  log: vscode.LogOutputChannel;
  spoolFolder: Promise<string | undefined>;
}

export async function restoreSpooledCapture(deps: RestoreDeps, title: string, host: InspectorHostState | undefined, endStatus: CaptureStatus): Promise<SpooledCaptureRestore> {
  const container = host?.container;
  const group = host?.group;
  // A tab saved before the direction was kept: Capture Again takes both directions (the default).
  const description: TabDescription | undefined = container || group ? { direction: host?.direction ?? 'both', ...(host?.filter ? { filter: host.filter } : {}) } : undefined;
  const folder = await deps.spoolFolder;
  const spoolPath = folder && host ? await validateSpoolPath(folder, host.spool) : undefined;
  if (host && !spoolPath) deps.log.warn(`A restored capture tab named a spool that is not usable: ${JSON.stringify(host.spool).slice(0, 300)}`);

  if (!spoolPath) {
    const model = new StaticCapture(title, container, [], { state: 'ended', message: NOT_KEPT_MESSAGE }, group);
    return { model, description, spoolPath, read: () => Promise.resolve(), discard: () => model.dispose() };
  }
  await touchSpool(spoolPath);
  const spool = new StoredSpool(spoolPath, 0);
  const settings = readSettings();
  const model = new RestoredCapture(title, container, { maxPackets: settings.maxPackets, maxBytes: settings.maxMemoryBytes }, { state: 'file', message: 'Reading the packets back from the capture\'s spool…' }, spool, group);
  const read = async (): Promise<void> => {
    const started = Date.now();
    const result = await readSpool(spoolPath, (batch) => model.load(batch)).catch((e: unknown) => ({ packets: 0, problem: e instanceof Error ? e.message : String(e) }));
    spool.packets = result.packets;
    deps.log.info(`Restored ${title} after a reload: ${result.packets} packets from ${spoolPath} in ${Date.now() - started} ms${result.problem ? ` (${result.problem})` : ''}`);
    model.finishLoading(result.problem ? { ...endStatus, message: `${endStatus.message ?? ''} (the spool ends early: ${result.problem})` } : endStatus);
  };
  return {
    model,
    description,
    spoolPath,
    read,
    discard: () => {
      void spool.delete();
      model.dispose();
    },
  };
}
