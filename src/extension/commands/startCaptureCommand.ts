/**
 * Capture Traffic / Egress / Ingress / with Filter: resolve the container,
 * open its inspector tab, start the engine (which asks for the password when
 * VS Code is not root) and report failures once.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startCapture, type CaptureClientOptions } from '../../engine/captureClient';
import { isCaptureError } from '../../engine/captureErrors';
import type { CaptureDirection, CaptureRequest } from '../../engine/captureRequest';
import { createDockerClient } from '../../engine/dockerClient';
import type { CaptureManager } from '../capture/captureManager';
import { CaptureSession } from '../capture/captureSession';
import type { ContainerWatcher } from '../containers/containerWatcher';
import { InspectorPanel, type InspectorDeps } from '../inspector/inspectorPanel';
import { readSettings } from '../settings';
import { askForBpfFilter } from './askForFilter';
import { pickRunningContainer } from './pickContainer';

export interface StartCaptureContext {
  extensionPath: string;
  watcher: ContainerWatcher;
  manager: CaptureManager;
  deps: InspectorDeps;
}

export interface StartCaptureVariant {
  /** undefined = the direction setting. */
  direction?: CaptureDirection;
  askFilter?: boolean;
}

export async function runStartCapture(arg: unknown, variant: StartCaptureVariant, ctx: StartCaptureContext): Promise<void> {
  const { log } = ctx.deps;
  const picked = await pickRunningContainer(arg, ctx.watcher);
  if (!picked) return;
  let filter: string | undefined;
  if (variant.askFilter) {
    filter = await askForBpfFilter(picked.name);
    if (filter === undefined) return;
  }
  const settings = readSettings();
  let target;
  try {
    target = await createDockerClient(settings.dockerHost || undefined).resolveContainer(picked.id);
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
  const options: CaptureClientOptions = {
    helperScript: path.join(ctx.extensionPath, 'dist', 'helper.js'),
    nodeExecutable: process.execPath,
    elevation: process.getuid?.() === 0 ? 'direct' : 'sudo-prompt',
    verbose: settings.verbose,
  };
  log.info(`Capturing ${target.name} (${target.id.slice(0, 12)}): direction ${request.direction}, mode ${request.mode.kind}${filter ? `, filter "${filter}"` : ''}, elevation ${options.elevation}`);
  const session = new CaptureSession({ id: target.id, name: target.name }, settings.maxPackets, (level, message) => {
    if (level === 'debug' && !settings.verbose) return;
    log[level](`[${target.name}] ${message}`);
  });
  const panel = InspectorPanel.open(session, target.name, ctx.deps);
  ctx.manager.add(session);
  // Closing the tab stops the capture (InspectorPanel does that); once ended, the session can go.
  panel.onDidClose(() => void session.stop().finally(() => session.dispose()));
  let started = false;
  session.onDidEnd((info) => {
    log.info(`Capture of ${target.name} ended: ${info.reason}; ${session.packetsCaptured} packets`);
    if (started && info.error) reportFailure(target.name, info.error, log);
  });
  try {
    await session.start((events) => startCapture(target, request, options, events));
    started = true;
  } catch (e) {
    if (isCaptureError(e) && e.code === 'cancelled') {
      log.info(`Capture of ${target.name} cancelled: ${e.message}`);
      panel.panel.dispose();
      void vscode.window.showInformationMessage('Capture cancelled');
      return;
    }
    reportFailure(target.name, e, log);
  }
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
