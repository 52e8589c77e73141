/**
 * Starts a capture of several containers in one inspector tab: the containers
 * selected in the tree, or a Compose project (which the capture then follows).
 * The capture manager calls this (CaptureManager.captureMany); commands only
 * say what to capture.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ContainerGroupCapture, projectTargets, resolveRunning } from '../../client/containerGroupCapture';
import type { ResolvedContainer } from '../../protocol/resolvedContainer';
import type { CaptureDirection } from '../../protocol/captureRequest';
import { isCaptureError } from '../../protocol/captureErrors';
import { dockerClientFromSettings } from '../containers/dockerClientFromSettings';
import { InspectorPanel, type InspectorDeps } from '../inspector/inspectorPanel';
import { readSettings } from '../settings';
import { CaptureSpool } from '../spool/captureSpool';
import { chooseBackend, tellContainerPathOnce } from './captureBackendStarter';
import { groupLabel, type ContainerGroup } from './containerGroup';
import { multiContainerBackend } from './multiContainerBackend';
import { MultiCaptureSession } from './multiCaptureSession';

export type { ContainerGroup } from './containerGroup';

export interface ContainerGroupOptions {
  /** undefined = the direction setting. */
  direction?: CaptureDirection;
  filter?: string;
}

/** The manager's side of a started group: it counts and stops it like any capture. */
export type AddCapture = (capture: MultiCaptureSession) => void;

/** Into a new tab, or into `reuse`, the ended tab of the same group (Capture Again). */
export async function startContainerGroup(group: ContainerGroup, options: ContainerGroupOptions, deps: InspectorDeps, addCapture: AddCapture, reuse?: InspectorPanel): Promise<void> {
  const { log } = deps;
  const label = groupLabel(group);
  const settings = readSettings();
  const docker = dockerClientFromSettings(settings);
  let targets: ResolvedContainer[];
  try {
    targets = group.kind === 'project' ? await projectTargets(docker, group.project) : await resolveRunning(docker, group.containers.map((c) => c.id));
  } catch (e) {
    docker.dispose();
    reportGroupFailure(label, e, log);
    return;
  }
  const direction = options.direction ?? settings.direction;
  const request = { direction, mode: { kind: 'namespace' as const }, ...(options.filter ? { filter: options.filter } : {}), ...(settings.snapLength > 0 ? { snapLength: settings.snapLength } : {}) };
  const project = group.kind === 'project' ? group.project : undefined;
  const choice = await chooseBackend(settings, docker, { ...request, container: targets[0]?.id ?? '' });
  if (choice.backend === 'helperContainer' && settings.captureBackend === 'auto') tellContainerPathOnce(choice.reason);
  const backend = multiContainerBackend(choice, docker, {
    setting: settings.captureBackend,
    helperImage: settings.helperImage,
    verbose: settings.verbose,
    host: {
      helperScript: path.join(deps.extensionUri.fsPath, 'dist', 'helper.js'),
      nodeExecutable: process.execPath,
      elevation: process.getuid?.() === 0 ? 'direct' : 'sudo-prompt',
      verbose: settings.verbose,
    },
    onFallback: (reason) => {
      log.info(`Capturing ${label} through helper containers instead: ${reason}`);
      tellContainerPathOnce(reason);
    },
  }, project);
  if (settings.captureMode.kind === 'bridge') log.info(`Capturing ${label}: the bridge capture mode captures one container; each container is captured in its own namespace`);
  log.info(`Capturing ${label} (${targets.map((t) => t.name).join(', ')}): direction ${direction}${options.filter ? `, filter "${options.filter}"` : ''}, through ${backend.description}`);

  const spool = await createGroupSpool(deps, label, settings.maxSpoolBytes);
  const session = new MultiCaptureSession(label, { maxPackets: settings.maxPackets, maxBytes: settings.maxMemoryBytes }, (level, message) => {
    if (level === 'debug' && !settings.verbose) return;
    log[level](`[${label}] ${message}`);
  }, spool, direction === 'both', group);
  const description = { direction, ...(options.filter ? { filter: options.filter } : {}) };
  // After a reload the tab reads its rows back from the spool (their container names included); the group in its record gives Capture Again.
  let panel: InspectorPanel;
  try {
    const hostState = spool ? { spool: spool.path, group, ...description } : undefined;
    // The tab to reuse may have been closed while the containers were being resolved.
    panel = reuse && InspectorPanel.isOpen(reuse)
      ? InspectorPanel.rebind(reuse, session, label, deps, hostState, description)
      : await InspectorPanel.open(session, label, deps, hostState, description);
  } catch (e) {
    session.dispose();
    void spool?.delete();
    docker.dispose();
    reportGroupFailure(label, e, log);
    return;
  }
  addCapture(session);
  panel.onDidClose(() => void session.stop().finally(() => {
    session.dispose();
    void spool?.delete();
  }));
  session.onDidEnd((info) => {
    docker.dispose();
    log.info(`Capture of ${label} ended: ${info.reason}; ${session.packetsCaptured} rows`);
  });
  session.onDidRefuseJoin((notice) => void vscode.window.showInformationMessage(notice));
  try {
    await session.start((events) => new ContainerGroupCapture(docker, backend, { ...(project !== undefined ? { project } : {}), request }, events), targets);
  } catch (e) {
    if (isCaptureError(e) && e.code === 'cancelled') {
      // The password prompt was dismissed: as for one container, the tab goes and nothing else is said.
      log.info(`Capture of ${label} cancelled: ${e.message}`);
      panel.panel.dispose();
      void vscode.window.showInformationMessage('Capture cancelled');
      return;
    }
    reportGroupFailure(label, e, log);
  }
}

async function createGroupSpool(deps: InspectorDeps, label: string, maxBytes: number): Promise<CaptureSpool | undefined> {
  const folder = await deps.spoolFolder;
  if (!folder) return undefined;
  try {
    return await CaptureSpool.create(folder, label.replace(/[^A-Za-z0-9_.-]+/g, '-'), (level, message) => deps.log[level](message), { maxBytes });
  } catch (e) {
    deps.log.warn(`No capture spool (packets are kept in memory only): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function reportGroupFailure(label: string, e: unknown, log: vscode.LogOutputChannel): void {
  const message = e instanceof Error ? e.message : String(e);
  log.error(`Capture of ${label} failed${isCaptureError(e) ? ` [${e.code}]` : ''}: ${message}`);
  void vscode.window.showErrorMessage(`Capture of ${label} failed: ${message}`, 'Show Log').then((choice) => {
    if (choice) log.show();
  });
}
