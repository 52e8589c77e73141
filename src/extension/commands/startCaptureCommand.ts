/**
 * Capture Traffic / Egress / Ingress / with Filter: resolve the container,
 * open its inspector tab, start the engine (which asks for the password when
 * VS Code is not root) and report failures once. Each capture also spools
 * every frame to a pcap file in the extension's storage (see spool/).
 */
import * as vscode from 'vscode';
import { isCaptureError } from '../../protocol/captureErrors';
import type { CaptureDirection, CaptureRequest } from '../../protocol/captureRequest';
import { captureStarter, chooseBackend } from '../capture/captureBackendStarter';
import type { CaptureManager } from '../capture/captureManager';
import { CaptureSession } from '../capture/captureSession';
import type { EndedCapture } from '../capture/reattachOffers';
import { dockerClientFromSettings } from '../containers/dockerClientFromSettings';
import type { ContainerWatcher } from '../containers/containerWatcher';
import { InspectorPanel, type InspectorDeps } from '../inspector/inspectorPanel';
import { readSettings, SETTINGS_SECTION } from '../settings';
import { CaptureSpool } from '../spool/captureSpool';
import { askForBpfFilter } from './askForFilter';
import { captureSelection } from './captureContainerGroup';
import { selectedRunningContainers } from './treeSelection';
import { pickRunningContainer } from './pickContainer';

export interface StartCaptureContext {
  extensionPath: string;
  watcher: ContainerWatcher;
  manager: CaptureManager;
  deps: InspectorDeps;
  /** Told about every capture that ended, with the engine's reason (re-attach offers listen). */
  onCaptureEnded?: (capture: EndedCapture, reason: string) => void;
}

export interface StartCaptureVariant {
  /** undefined = the direction setting. */
  direction?: CaptureDirection;
  askFilter?: boolean;
}

/** `selected`: the tree's multi-selection (VS Code's second argument); several running containers are captured in one tab. */
export async function runStartCapture(arg: unknown, variant: StartCaptureVariant, ctx: StartCaptureContext, selected?: unknown): Promise<void> {
  const several = selectedRunningContainers(arg, selected);
  if (several) {
    const filter = variant.askFilter ? await askForBpfFilter(several.map((c) => c.name).join(', ')) : undefined;
    if (variant.askFilter && filter === undefined) return;
    await captureSelection(several, { ...(variant.direction ? { direction: variant.direction } : {}), ...(filter ? { filter } : {}) }, ctx.manager, ctx.deps);
    return;
  }
  const picked = await pickRunningContainer(arg, ctx.watcher);
  if (!picked) return;
  let filter: string | undefined;
  if (variant.askFilter) {
    filter = await askForBpfFilter(picked.name);
    if (filter === undefined) return;
  }
  await startCaptureOf(picked, { ...(variant.direction ? { direction: variant.direction } : {}), ...(filter ? { filter } : {}) }, ctx);
}

/**
 * Starts capturing one container; `direction` undefined = the setting. Into a
 * new tab, or into `reuse`, the ended tab of the same capture (Capture Again).
 */
export async function startCaptureOf(
  picked: { id: string; name: string },
  variant: { direction?: CaptureDirection; filter?: string },
  ctx: StartCaptureContext,
  reuse?: InspectorPanel,
): Promise<void> {
  const { log } = ctx.deps;
  const filter = variant.filter;
  const settings = readSettings();
  const docker = dockerClientFromSettings(settings);
  let target;
  try {
    target = await docker.resolveContainer(picked.id);
  } catch (e) {
    reportFailure(picked.name, e, log);
    return;
  }
  const request: CaptureRequest = {
    container: target.id,
    direction: variant.direction ?? settings.direction,
    mode: settings.captureMode,
    ...(filter ? { filter } : {}),
    ...(settings.snapLength > 0 ? { snapLength: settings.snapLength } : {}),
  };
  const backend = await chooseBackend(settings, docker, request);
  const start = captureStarter(backend, settings, docker, target, request, ctx.extensionPath, log);
  log.info(`Capturing ${target.name} (${target.id.slice(0, 12)}): direction ${request.direction}, mode ${request.mode.kind}${filter ? `, filter "${filter}"` : ''}, through the ${backend.backend === 'hostHelper' ? 'host helper' : 'helper container'} (${backend.reason})`);
  const container = { id: target.id, name: target.name };
  const spool = await createSpool(ctx.deps, target.name, settings.maxSpoolBytes);
  const session = new CaptureSession(container, { maxPackets: settings.maxPackets, maxBytes: settings.maxMemoryBytes }, (level, message) => {
    if (level === 'debug' && !settings.verbose) return;
    log[level](`[${target.name}] ${message}`);
  }, spool);
  const description = { direction: request.direction, ...(filter ? { filter } : {}) };
  const hostState = spool ? { spool: spool.path, container, ...description } : undefined;
  // The tab to reuse may have been closed while the container was being resolved.
  let panel: InspectorPanel;
  try {
    panel = reuse && InspectorPanel.isOpen(reuse)
      ? InspectorPanel.rebind(reuse, session, target.name, ctx.deps, hostState, description)
      : await InspectorPanel.open(session, target.name, ctx.deps, hostState, description);
  } catch (e) {
    session.dispose();
    void spool?.delete();
    reportFailure(target.name, e, log);
    return;
  }
  ctx.manager.add(session);
  // Closing the tab stops the capture (InspectorPanel does that); once ended, the
  // session can go, and so can its spool: what the user wanted kept, they saved.
  panel.onDidClose(() => void session.stop().finally(() => {
    session.dispose();
    void spool?.delete();
  }));
  session.onDidCapSpool((cap) => {
    void vscode.window.showWarningMessage(`The capture of ${target.name} filled its spool on disk (dockerNetworkCapture.maxSpoolMB): Save as pcap saves its first ${cap.packets.toLocaleString('en-US')} packets; later ones are kept in memory only.`);
  });
  let started = false;
  session.onDidEnd((info) => {
    log.info(`Capture of ${target.name} ended: ${info.reason}; ${session.packetsCaptured} packets`);
    if (started && info.error) reportFailure(target.name, info.error, log);
    if (started) ctx.onCaptureEnded?.({ containerId: target.id, containerName: target.name, direction: request.direction, ...(filter ? { filter } : {}), endedAt: Date.now() }, info.reason);
  });
  try {
    await session.start(start);
    started = true;
  } catch (e) {
    if (isCaptureError(e) && e.code === 'cancelled') {
      log.info(`Capture of ${target.name} cancelled: ${e.message}`);
      panel.panel.dispose();
      void vscode.window.showInformationMessage('Capture cancelled');
      return;
    }
    if (isCaptureError(e) && e.code === 'authorization-refused') {
      log.warn(`Capture of ${target.name}: ${e.message}`);
      panel.panel.dispose();
      void offerUnprivilegedBackend(e.message);
      return;
    }
    reportFailure(target.name, e, log);
  }
}

/** A spool for a new capture, or undefined (logged) when storage is not writable: the capture then lives in memory only. */
async function createSpool(deps: InspectorDeps, containerName: string, maxBytes: number): Promise<CaptureSpool | undefined> {
  const folder = await deps.spoolFolder;
  if (!folder) return undefined;
  try {
    return await CaptureSpool.create(folder, containerName, (level, message) => deps.log[level](message), { maxBytes });
  } catch (e) {
    deps.log.warn(`No capture spool (packets are kept in memory only): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** polkit said no: asking again will not help; the helper container needs no root. */
async function offerUnprivilegedBackend(message: string): Promise<void> {
  const USE_CONTAINER = 'Use the Helper Container';
  const choice = await vscode.window.showErrorMessage(message, USE_CONTAINER);
  if (choice === USE_CONTAINER) await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('captureBackend', 'helperContainer', vscode.ConfigurationTarget.Global);
}

/** One error message with "Show Log"; the details go to the log. */
export function reportFailure(containerName: string, e: unknown, log: vscode.LogOutputChannel): void {
  const message = e instanceof Error ? e.message : String(e);
  const code = isCaptureError(e) ? ` [${e.code}]` : '';
  log.error(`Capture of ${containerName} failed${code}: ${message}`);
  if (e instanceof Error && e.stack && !isCaptureError(e)) log.debug(e.stack);
  void vscode.window.showErrorMessage(`Capture of ${containerName} failed: ${message}`, 'Show Log').then((choice) => {
    if (choice) log.show();
  });
}
