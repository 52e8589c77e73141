/**
 * A PacketSource over one helper container: tcpdump runs in the container,
 * its pcap arrives on the attach stream's stdout and its messages on stderr.
 * CaptureSession reads it exactly like a local tcpdump, so the frames, limits
 * and directions are the host path's.
 */
import type { Readable } from 'node:stream';
import type { PipelineSpec } from '../../helper/capturePlan';
import type { PacketSource, TcpdumpCounts } from '../../helper/packetSource';
import type { HelperContainerRun, HelperExit } from './helperContainerRun';
import { TcpdumpMessages } from './tcpdumpMessages';

/** Turns an exit nobody asked for into words (the orchestrator knows the target and the engine). */
export type ExitExplainer = (exit: HelperExit, tcpdumpError: string | undefined, helperName: string) => Promise<string | undefined>;

export class ContainerPacketSource implements PacketSource {
  readonly pid = undefined;
  private readonly messages = new TcpdumpMessages();
  private countsListener?: (counts: TcpdumpCounts) => void;
  private stopRequested = false;
  private hasExited = false;
  private explanation?: string;
  private readonly exitPromise: Promise<number | null>;

  constructor(
    readonly spec: PipelineSpec,
    readonly run: HelperContainerRun,
    explain: ExitExplainer,
  ) {
    run.stderr.setEncoding('utf8');
    run.stderr.on('data', (text: string) => {
      if (this.messages.push(text)) this.countsListener?.(this.messages.counts);
    });
    this.exitPromise = run.exited.then(async (exit) => {
      if (!this.stopRequested) this.explanation = await explain(exit, this.messages.lastError, run.name).catch(() => undefined);
      this.hasExited = true;
      return exit.code ?? null;
    });
  }

  get stdout(): Readable {
    return this.run.stdout;
  }

  get counts(): TcpdumpCounts {
    return this.messages.counts;
  }

  get lastError(): string | undefined {
    return this.explanation ?? this.messages.lastError;
  }

  /** tcpdump's own words (not the orchestrator's explanation): for the capability probe. */
  get tcpdumpError(): string | undefined {
    return this.messages.lastError;
  }

  onCounts(listener: (counts: TcpdumpCounts) => void): void {
    this.countsListener = listener;
  }

  async waitUntilListening(timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!this.messages.listening) {
      if (this.hasExited) throw new Error(this.messages.lastError ?? `helper container ${this.run.name} exited before tcpdump started listening`);
      if (Date.now() - started > timeoutMs) throw new Error(`tcpdump in ${this.run.name} did not start within ${timeoutMs / 1000} s: ${this.messages.lastError ?? 'no output'}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** tcpdump prints its counters on SIGUSR1; the engine's kill API delivers it. */
  requestCounts(): void {
    if (!this.hasExited) void this.run.signal('SIGUSR1');
  }

  async stop(graceMs = 3000): Promise<number | null> {
    this.stopRequested = true;
    if (!this.hasExited) {
      // SIGTERM: tcpdump flushes, prints its final counters and exits 0.
      const delivered = await this.run.signal('SIGTERM');
      const timer = setTimeout(() => {
        void this.run.signal('SIGKILL').then((ok) => {
          if (!ok) this.run.abandon(new Error('the Docker engine did not answer'));
        });
      }, delivered ? graceMs : 0);
      const code = await this.exitPromise;
      clearTimeout(timer);
      await this.run.remove();
      return code;
    }
    return this.exitPromise;
  }

  exit(): Promise<number | null> {
    return this.exitPromise;
  }
}
