/**
 * Shows in the Containers view's description which engine it lists ("context prod
 * (ssh://me@host)", "Podman (rootless)", "unix:///var/run/docker.sock"), so a list from
 * the wrong engine is never mistaken for the right one. Once a listing worked, the engine
 * is asked what it is (Podman behind a Docker-named socket, rootless or not).
 */
import type * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { ContainerWatcher } from './containerWatcher';

export class EngineDescription extends Disposable {
  private asked: unknown;

  constructor(
    private readonly view: vscode.TreeView<unknown>,
    private readonly watcher: ContainerWatcher,
  ) {
    super();
    this._register(watcher.onDidChange((state) => this.update(state.unreachable === undefined)));
    this.update(false);
  }

  private update(reachable: boolean): void {
    const engine = this.watcher.engine;
    this.view.description = engine?.description ?? 'invalid Docker endpoint';
    const client = this.watcher.currentClient;
    if (!reachable || this.asked === client || !client.describeEngine) return;
    this.asked = client;
    void client.describeEngine().then((described) => {
      if (this.watcher.currentClient === client && !this.isDisposed) this.view.description = described.description;
    });
  }
}
