/** The "Containers" tree: Compose projects, then containers, fed by the ContainerWatcher. */
import * as vscode from 'vscode';
import type { ContainerSummary } from '../../client/dockerClient';
import { Disposable } from '../disposable';
import { CAPTURING_ICON, contextValueFor, descriptionFor, groupContainers, iconFor, tooltipFor, type ContainerTreeNode } from './containerPresentation';
import type { ContainerListState, ContainerWatcher } from './containerWatcher';
import { UNREACHABLE_CAUSE_CONTEXT, unreachableCause } from './unreachableCause';

export const CONTAINERS_VIEW_ID = 'dockerNetworkCapture.containers';
const UNREACHABLE_CONTEXT = 'dockerNetworkCapture.dockerUnreachable';

export class ContainerTreeItem extends vscode.TreeItem {
  constructor(readonly container: ContainerSummary, captured = false) {
    super(container.name, vscode.TreeItemCollapsibleState.None);
    this.id = `container:${container.id}`;
    this.description = descriptionFor(container, captured);
    this.tooltip = tooltipFor(container) + (captured ? '\nBeing captured' : '');
    this.contextValue = contextValueFor(container.state);
    const icon = captured ? CAPTURING_ICON : iconFor(container.state);
    this.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    this.accessibilityInformation = { label: `${container.name}, ${captured ? 'being captured, ' : ''}${container.image}, ${container.status}` };
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

  constructor(
    private readonly watcher: ContainerWatcher,
    /** Ids of the containers being captured, and when that changes: they are marked. */
    private readonly captures?: { capturedContainerIds: ReadonlySet<string>; onDidChangeRunning: vscode.Event<void> },
  ) {
    super();
    this._register(watcher.onDidChange((state) => this.update(state)));
    if (captures) this._register(captures.onDidChangeRunning(() => this.changeEmitter.fire(undefined)));
    this.update(watcher.state);
  }

  getTreeItem(element: Item): vscode.TreeItem {
    return element;
  }

  getChildren(element?: Item): Item[] {
    const captured = this.captures?.capturedContainerIds ?? new Set<string>();
    if (element instanceof ProjectTreeItem) return element.containers.map((c) => new ContainerTreeItem(c, captured.has(c.id)));
    if (element) return [];
    return groupContainers(this.watcher.state.containers).map((node) => toItem(node, captured));
  }

  private update(state: ContainerListState): void {
    void vscode.commands.executeCommand('setContext', UNREACHABLE_CONTEXT, state.unreachable !== undefined);
    void vscode.commands.executeCommand('setContext', UNREACHABLE_CAUSE_CONTEXT, state.unreachable === undefined ? '' : unreachableCause(state.unreachable));
    this.changeEmitter.fire(undefined);
  }
}

function toItem(node: ContainerTreeNode, captured: ReadonlySet<string>): Item {
  return node.kind === 'project' ? new ProjectTreeItem(node.project, node.containers) : new ContainerTreeItem(node.container, captured.has(node.container.id));
}
