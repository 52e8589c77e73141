/**
 * Container address -> name, derived from the watcher's lists; fires only when
 * the map really changed. Names are kept after their container stopped (see mergeHostnames).
 */
import { Emitter } from '../capture/emitter';
import { hostnamesFrom, mergeHostnames, sameHostnames } from './containerPresentation';
import type { ContainerWatcher } from './containerWatcher';

export class HostnamesSource {
  private map: Record<string, string>;
  private readonly emitter = new Emitter<Record<string, string>>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription;

  constructor(watcher: ContainerWatcher) {
    this.map = hostnamesFrom(watcher.state.containers);
    this.subscription = watcher.onDidChange((state) => {
      // An unreachable daemon lists nothing; keep the last names rather than blanking the inspector.
      if (state.unreachable !== undefined) return;
      const next = mergeHostnames(this.map, hostnamesFrom(state.containers));
      if (sameHostnames(next, this.map)) return;
      this.map = next;
      this.emitter.fire(next);
    });
  }

  get current(): Record<string, string> {
    return this.map;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
