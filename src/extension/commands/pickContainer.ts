/** The container a capture command acts on: the tree item it was run on, or a quick pick of running containers. */
import * as vscode from 'vscode';
import type { ContainerSummary } from '../../client/dockerClient';
import type { ContainerWatcher } from '../containers/containerWatcher';

export async function pickRunningContainer(arg: unknown, watcher: ContainerWatcher): Promise<ContainerSummary | undefined> {
  const fromTree = (arg as { container?: ContainerSummary } | undefined)?.container;
  if (fromTree && typeof fromTree.id === 'string') return fromTree;
  if (watcher.state.containers.length === 0 || watcher.state.unreachable) await watcher.refresh();
  const state = watcher.state;
  if (state.unreachable) {
    void vscode.window.showErrorMessage(state.unreachable, 'Open Setting').then((choice) => {
      if (choice) void vscode.commands.executeCommand('dockerNetworkCapture.openDockerSetting');
    });
    return undefined;
  }
  const running = state.containers.filter((c) => c.state === 'running').sort((a, b) => a.name.localeCompare(b.name));
  if (running.length === 0) {
    void vscode.window.showInformationMessage('No running containers to capture.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    running.map((c) => ({
      label: c.name,
      description: c.image,
      detail: c.networks.map((n) => `${n.name}: ${[n.ipv4, n.ipv6].filter(Boolean).join(', ') || 'no address'}`).join('  ·  '),
      container: c,
    })),
    { title: 'Capture Traffic', placeHolder: 'Container to capture', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.container;
}
