/**
 * Watches the target container through the engine API while a capture runs,
 * and explains a helper container that ended unasked. Nothing local can be
 * watched (the engine may be on another machine), so the target is inspected
 * once a second: when it stops, the capture ends "container stopped", which
 * the tcpdump on its loopback would never notice (the helper holds the
 * namespace alive).
 */
import type Docker from 'dockerode';
import { CaptureError } from '../../protocol/captureErrors';
import type { HelperExit } from './helperContainerRun';

const POLL_MS = 1000;
/** Consecutive failed inspects before the engine counts as gone. */
const UNREACHABLE_AFTER = 2;
/** Docker's default time between SIGTERM and SIGKILL when it stops a container. */
const STOP_TIMEOUT_MS = 12_000;

export interface EndCause {
  reason: string;
  error?: CaptureError;
}

type TargetState = { kind: 'running'; pid: number } | { kind: 'stopped' } | { kind: 'unreachable'; detail: string };

export class TargetWatch {
  /** The first cause found for an end nobody asked for. */
  cause?: EndCause;
  private timer?: NodeJS.Timeout;
  private pid?: number;
  private failures = 0;
  private disposed = false;

  constructor(
    private readonly api: Docker,
    private readonly targetId: string,
    private readonly endpoint: string,
  ) {}

  start(onEnd: (reason: string, error?: CaptureError) => void): void {
    const tick = async (): Promise<void> => {
      const state = await this.state();
      if (this.disposed) return;
      if (state.kind === 'running' && (this.pid === undefined || this.pid === state.pid)) {
        this.pid = state.pid;
        this.failures = 0;
      } else if (state.kind === 'unreachable') {
        if (++this.failures >= UNREACHABLE_AFTER) return void onEnd(...this.unreachable(state.detail));
      } else {
        // Stopped, removed, or restarted (a new init process is a new namespace).
        return void onEnd('container stopped');
      }
      this.timer = setTimeout(() => void tick(), POLL_MS);
    };
    this.timer = setTimeout(() => void tick(), POLL_MS);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Words for a helper container that ended while nobody asked it to. */
  async explainHelperExit(exit: HelperExit, tcpdumpError: string | undefined, helperName: string): Promise<string> {
    // The target's own stop takes its interfaces away a moment before the
    // engine reports it stopped: look again for a while before blaming the
    // helper. A helper stopped politely (tcpdump exits 0 on SIGTERM) is what
    // an engine shutting down does first, before its slower containers and
    // its API are gone: that case waits as long as the engine's stop timeout.
    const politeStop = exit.code === 0 || exit.code === 143;
    const deadline = Date.now() + (politeStop ? STOP_TIMEOUT_MS : 1200);
    let state = await this.state();
    while (state.kind === 'running' && Date.now() < deadline && !this.disposed) {
      await new Promise((r) => setTimeout(r, 300));
      state = await this.state();
    }
    if (state.kind === 'stopped') return this.remember({ reason: 'container stopped' });
    if (state.kind === 'unreachable' || (exit.code === undefined && exit.connectionError)) {
      const [reason, error] = this.unreachable(state.kind === 'unreachable' ? state.detail : (exit.connectionError?.message ?? 'connection closed'));
      return this.remember({ reason, error });
    }
    if (tcpdumpError && !politeStop) return tcpdumpError;
    if (exit.code === 137 || politeStop) {
      const how = exit.code === 137 ? 'killed' : 'stopped';
      return this.remember({
        reason: `the helper container was ${how}`,
        error: new CaptureError('helper-failed', `the helper container ${helperName} was ${how} (exit code ${exit.code}); the packets captured until then are kept`),
      });
    }
    return `the helper container ${helperName} exited (code ${String(exit.code)})`;
  }

  private remember(cause: EndCause): string {
    this.cause ??= cause;
    return cause.error?.message ?? cause.reason;
  }

  private unreachable(detail: string): [string, CaptureError] {
    return ['the Docker engine went away', new CaptureError('docker-unreachable', `lost the connection to Docker at ${this.endpoint} (${detail}); the packets captured until then are kept`)];
  }

  private async state(): Promise<TargetState> {
    try {
      const info = await this.api.getContainer(this.targetId).inspect();
      return info.State.Running && !info.State.Restarting ? { kind: 'running', pid: info.State.Pid } : { kind: 'stopped' };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return { kind: 'stopped' };
      const e = err as { code?: string; message?: string };
      return { kind: 'unreachable', detail: e.code ?? e.message ?? String(err) };
    }
  }
}
