/**
 * One helper container's life: created with its labels and limits, attached
 * BEFORE it starts (so not a byte of tcpdump's output is missed, and nothing
 * needs the engine's log), started, then waited for. The engine removes it on
 * exit (AutoRemove); `remove()` makes sure of it when the exit was not seen.
 */
import type Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import { demultiplexAttach } from './attachDemux';
import { helperContainerOptions, type HelperContainerRequest } from './helperContainerSpec';

export interface HelperExit {
  /** The container's exit code; undefined when the engine could not say (connection lost). */
  code: number | undefined;
  /** Set when the stream or the wait failed: the engine went away or the connection broke. */
  connectionError?: Error;
}

export class HelperContainerRun {
  readonly stdout = new PassThrough({ highWaterMark: 1024 * 1024 });
  readonly stderr = new PassThrough();
  readonly exited: Promise<HelperExit>;
  private resolveExit!: (exit: HelperExit) => void;
  private streamEnded = false;
  private exitCode: number | undefined;
  private connectionError?: Error;

  private constructor(
    private readonly api: Docker,
    readonly id: string,
    readonly name: string,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  /**
   * Creates, attaches and starts. Rejects (after removing what it created)
   * when the engine refuses, e.g. when the image has no `tcpdump` on PATH.
   */
  static async start(api: Docker, streamingApi: Docker, request: HelperContainerRequest): Promise<HelperContainerRun> {
    const created = await api.createContainer(helperContainerOptions(request));
    const run = new HelperContainerRun(api, created.id, request.name);
    try {
      // The streaming client: attach and wait last as long as the capture.
      const container = streamingApi.getContainer(created.id);
      const stream = (await container.attach({ stream: true, stdout: true, stderr: true, logs: false })) as unknown as Readable;
      demultiplexAttach(stream, run.stdout, run.stderr, (error) => run.onStreamEnd(error));
      run.stdout.pause();
      container.wait({ condition: 'next-exit' }).then(
        (result: { StatusCode?: number }) => run.onWait(result.StatusCode),
        (err: unknown) => run.onWait(undefined, err instanceof Error ? err : new Error(String(err))),
      );
      await api.getContainer(created.id).start();
    } catch (err) {
      await run.remove();
      throw err;
    }
    return run;
  }

  /** Sends a signal to tcpdump (PID 1 of the helper). False when the engine refused or is gone. */
  async signal(signal: 'SIGUSR1' | 'SIGTERM' | 'SIGKILL'): Promise<boolean> {
    try {
      await this.api.getContainer(this.id).kill({ signal });
      return true;
    } catch {
      return false;
    }
  }

  /** Removes the container if it is still there; never throws (it may be gone already). */
  async remove(): Promise<void> {
    try {
      await this.api.getContainer(this.id).remove({ force: true });
    } catch {
      // already removed (AutoRemove), being removed, or the engine is gone
    }
  }

  /** Gives up on the engine: ends the streams so the capture can end without it. */
  abandon(reason: Error): void {
    this.connectionError ??= reason;
    this.stdout.end();
    this.stderr.end();
    this.streamEnded = true;
    this.settle();
  }

  private onStreamEnd(error?: Error): void {
    this.streamEnded = true;
    if (error) this.connectionError ??= error;
    // The exit status normally follows at once; if the engine went away it never comes.
    setTimeout(() => this.settle(true), 2000).unref();
    this.settle();
  }

  private onWait(code: number | undefined, error?: Error): void {
    this.exitCode = code;
    if (error) this.connectionError ??= error;
    if (code === undefined) this.settle(true);
    else this.settle();
  }

  private settled = false;
  private settle(force = false): void {
    if (this.settled) return;
    if (!force && !(this.streamEnded && this.exitCode !== undefined)) return;
    if (!this.streamEnded) return;
    this.settled = true;
    this.resolveExit({ code: this.exitCode, ...(this.exitCode === undefined && this.connectionError ? { connectionError: this.connectionError } : {}) });
  }
}
