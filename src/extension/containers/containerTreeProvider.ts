/** The "Containers" tree: Compose projects, then containers, fed by the ContainerWatcher. */
import * as vscode from 'vscode';
import type { ContainerSummary } from '../../client/dockerClient';
import { Disposable } from '../disposable';
import { contextValueFor, descriptionFor, groupContainers, iconFor, tooltipFor, type ContainerTreeNode } from './containerPresentation';
import type { ContainerListState, ContainerWatcher } from './containerWatcher';
import { UNREACHABLE_CAUSE_CONTEXT, unreachableCause } from './unreachableCause';

export const CONTAINERS_VIEW_ID = 'dockerNetworkCapture.containers';
const UNREACHABLE_CONTEXT = 'dockerNetworkCapture.dockerUnreachable';

export class ContainerTreeItem extends vscode.TreeItem {
  constructor(readonly container: ContainerSummary) {
    super(container.name, vscode.TreeItemCollapsibleState.None);
    this.id = `container:${container.id}`;
    this.description = descriptionFor(container);
    this.tooltip = tooltipFor(container);
    this.contextValue = contextValueFor(container.state);
    const icon = iconFor(container.state);
    this.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    this.accessibilityInformation = { label: `${container.name}, ${container.image}, ${container.status}` };
  }
}

export class ProjectTreeItem extends vscode.TreeItem {
  constructor(
    readonly project: string,
    readonly containers: ContainerSummary[],
  ) {
    super(project, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `project:${project}`;
    const running = containers.filter((c) => c.state === 'running').length;
    this.description = `${running}/${containers.length} running`;
    this.iconPath = new vscode.ThemeIcon('layers');
    this.contextValue = 'composeProject';
  }
}

type Item = ContainerTreeItem | ProjectTreeItem;

export class ContainerTreeProvider extends Disposable implements vscode.TreeDataProvider<Item> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<Item | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(private readonly watcher: ContainerWatcher) {
    super();
    this._register(watcher.onDidChange((state) => this.update(state)));
    this.update(watcher.state);
  }

  getTreeItem(element: Item): vscode.TreeItem {
    return element;
  }

  getChildren(element?: Item): Item[] {
    if (element instanceof ProjectTreeItem) return element.containers.map((c) => new ContainerTreeItem(c));
    if (element) return [];
    return groupContainers(this.watcher.state.containers).map((node) => toItem(node));
  }

  private update(state: ContainerListState): void {
    void vscode.commands.executeCommand('setContext', UNREACHABLE_CONTEXT, state.unreachable !== undefined);
    void vscode.commands.executeCommand('setContext', UNREACHABLE_CAUSE_CONTEXT, state.unreachable === undefined ? '' : unreachableCause(state.unreachable));
    this.changeEmitter.fire(undefined);
  }
}

function toItem(node: ContainerTreeNode): Item {
  return node.kind === 'project' ? new ProjectTreeItem(node.project, node.containers) : new ContainerTreeItem(node.container);
}
