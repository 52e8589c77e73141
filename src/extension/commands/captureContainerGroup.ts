/**
 * The tree's ways to capture several containers in one tab: Capture Traffic
 * (and its variants) on a multi-selection of containers, and Capture Project
 * Traffic on a Compose project group. The capture manager does the rest.
 */
import * as vscode from 'vscode';
import type { ContainerSummary } from '../../client/dockerClient';
import type { ContainerGroupOptions } from '../capture/containerGroupStart';
import type { CaptureManager } from '../capture/captureManager';
import { COMPOSE_PROJECT_LABEL } from '../../client/composeLabel';
import type { ContainerWatcher } from '../containers/containerWatcher';
import type { InspectorDeps } from '../inspector/inspectorPanel';

export const CAPTURE_PROJECT_COMMAND = 'dockerNetworkCapture.capture.startProject';

export function captureSelection(containers: readonly ContainerSummary[], options: ContainerGroupOptions, manager: CaptureManager, deps: InspectorDeps): Promise<void> {
  return manager.captureMany({ kind: 'containers', containers: containers.map((c) => ({ id: c.id, name: c.name })) }, options, deps);
}

/** Capture Project Traffic: on a project group of the tree, or picked from the projects that run a container. */
export async function captureProject(arg: unknown, watcher: ContainerWatcher, manager: CaptureManager, deps: InspectorDeps): Promise<void> {
  let project = (arg as { project?: unknown } | undefined)?.project;
  if (typeof project !== 'string') {
    if (watcher.state.containers.length === 0) await watcher.refresh();
    const running = new Set(watcher.state.containers.filter((c) => c.state === 'running').map((c) => c.labels[COMPOSE_PROJECT_LABEL]?.trim()).filter((p): p is string => Boolean(p)));
    if (running.size === 0) {
      void vscode.window.showInformationMessage('No Compose project has a running container.');
      return;
    }
    project = await vscode.window.showQuickPick([...running].sort(), { title: 'Capture Project Traffic', placeHolder: 'Compose project to capture' });
    if (project === undefined) return;
  }
  await manager.captureMany({ kind: 'project', project: project as string }, {}, deps);
}
