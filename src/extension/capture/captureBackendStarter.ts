/**
 * Picks the capture backend for one capture and returns the function that
 * starts it: the host helper (sudo-prompt/pkexec, or directly as root) or the
 * helper container (the Docker API only). With `auto`, a host helper that
 * cannot be elevated here (no polkit agent, as under Remote-SSH) falls back to
 * the helper container once, and says so.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { chooseCaptureBackend, type BackendChoice } from '../../client/captureBackendChoice';
import { startCapture, type CaptureClientOptions, type CaptureEvents, type CaptureHandle } from '../../client/captureClient';
import type { DockerApis, DockerClient } from '../../client/dockerClient';
import { isDockerDesktopEndpoint } from '../../client/dockerDesktop';
import { startContainerCapture } from '../../client/helperContainer/startContainerCapture';
import { noPasswordPromptPossible } from '../../client/helperLaunch';
import type { CaptureRequest } from '../../protocol/captureRequest';
import type { ResolvedContainer } from '../../protocol/resolvedContainer';
import type { ExtensionSettings } from '../settings';

export type CaptureStarter = (events: CaptureEvents) => Promise<CaptureHandle>;

/** VS Code remotes whose extension host has no polkit agent to answer pkexec. */
const REMOTES_WITHOUT_AGENT = new Set(['ssh-remote', 'tunnel', 'dev-container', 'attached-container', 'codespaces', 'wsl']);

function canElevateHere(): boolean {
  return existsSync('/usr/bin/pkexec') && !REMOTES_WITHOUT_AGENT.has(vscode.env.remoteName ?? '');
}

let toldAboutContainerPath = false;

/** Once per window: the first time auto takes the helper container, one line with the setting. */
export function tellContainerPathOnce(reason: string): void {
  if (toldAboutContainerPath) return;
  toldAboutContainerPath = true;
  void vscode.window
    .showInformationMessage(`Capturing through a helper container: ${reason}. Setting: Capture Backend.`, 'Open Setting')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'dockerNetworkCapture.captureBackend');
    });
}

export async function chooseBackend(settings: ExtensionSettings, docker: DockerClient, request: CaptureRequest): Promise<BackendChoice> {
  // The seed's bridge mode captures on a host bridge: only the host helper can.
  if (request.mode.kind === 'bridge' && settings.captureBackend === 'auto') return { backend: 'hostHelper', reason: 'bridge mode captures on a host bridge' };
  const engine = await docker.describeEngine().catch(() => docker.engine);
  return chooseCaptureBackend(settings.captureBackend, {
    engineLocal: engine.local,
    podman: engine.podman,
    dockerDesktop: isDockerDesktopEndpoint(docker.endpoint, engine.contextName),
    platform: process.platform,
    root: process.getuid?.() === 0,
    canElevate: canElevateHere(),
  });
}

/** The helper container, with the image pull shown as a notification when there is one. */
function containerStarter(docker: DockerClient & DockerApis, target: ResolvedContainer, request: CaptureRequest, settings: ExtensionSettings): CaptureStarter {
  return (events) => {
    let progress: { report(line: string): void; done(): void } | undefined;
    const onPullProgress = (line: string): void => {
      progress ??= pullNotification(settings.helperImage || 'the helper image');
      progress.report(line);
    };
    return startContainerCapture(docker, target, request, { ...(settings.helperImage ? { helperImage: settings.helperImage } : {}), verbose: settings.verbose, onPullProgress }, events).finally(() => progress?.done());
  };
}

function pullNotification(image: string): { report(line: string): void; done(): void } {
  let report: (line: string) => void = () => undefined;
  let done: () => void = () => undefined;
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pulling ${image}` }, (p) => {
    report = (line) => p.report({ message: line });
    return new Promise<void>((resolve) => (done = resolve));
  });
  return { report: (line) => report(line), done: () => done() };
}

export function captureStarter(
  choice: BackendChoice,
  settings: ExtensionSettings,
  docker: DockerClient & DockerApis,
  target: ResolvedContainer,
  request: CaptureRequest,
  extensionPath: string,
  log: vscode.LogOutputChannel,
): CaptureStarter {
  const viaContainer = containerStarter(docker, target, request, settings);
  if (choice.backend === 'helperContainer') {
    if (settings.captureBackend === 'auto') tellContainerPathOnce(choice.reason);
    return viaContainer;
  }
  const options: CaptureClientOptions = {
    helperScript: path.join(extensionPath, 'dist', 'helper.js'),
    nodeExecutable: process.execPath,
    elevation: process.getuid?.() === 0 ? 'direct' : 'sudo-prompt',
    verbose: settings.verbose,
  };
  const viaHost: CaptureStarter = (events) => startCapture(target, request, options, events);
  if (settings.captureBackend !== 'auto' || request.mode.kind === 'bridge') return viaHost;
  return async (events) => {
    try {
      return await viaHost(events);
    } catch (e) {
      // No agent to ask for the password (sudo-prompt's "No polkit authentication agent found"):
      // the user can still capture with their Docker access alone.
      if (!noPasswordPromptPossible(e)) throw e;
      log.info(`No password prompt can be shown here (${e.message}); capturing through a helper container instead`);
      tellContainerPathOnce('no password prompt can be shown here (no polkit agent)');
      return viaContainer(events);
    }
  };
}
