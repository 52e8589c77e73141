/**
 * Docker words a container's status with its age ("Up 31 seconds", "Exited
 * (0) 5 minutes ago") at the moment it is listed, and no event comes when
 * that age changes: between events the tree would show "Up 31 seconds" for
 * hours. While the view is visible, this re-lists every `intervalMs` (a list
 * call is cheap; nothing is asked while the view is hidden or the engine is
 * unreachable, where the watcher's own retry runs). No `vscode` here.
 */
import type { ContainerWatcher } from './containerWatcher';

export const STATUS_AGE_REFRESH_MS = 30_000;

export class StatusAgeRefresher {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly watcher: Pick<ContainerWatcher, 'refresh' | 'state'>,
    private readonly intervalMs = STATUS_AGE_REFRESH_MS,
  ) {}

  /** The view became visible (true) or hidden (false). */
  setVisible(visible: boolean): void {
    if (visible && !this.timer) {
      this.timer = setInterval(() => {
        if (this.watcher.state.unreachable === undefined) void this.watcher.refresh();
      }, this.intervalMs);
    } else if (!visible && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    this.setVisible(false);
  }
}
