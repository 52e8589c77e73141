/**
 * A tcpdump that another process started, read through inherited pipe
 * descriptors: the packet reader's view of the root helper's tcpdumps. The
 * process is not this one's child, so its end is seen as the end of its
 * pipes, and it is signalled by PID only until then (after that the PID may
 * belong to someone else).
 */
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { PipelineSpec } from './capturePlan';
import { CoalescingPipeReader } from './coalescingPipeReader';
import type { PacketSource, TcpdumpCounts } from './packetSource';
import { TcpdumpStderr } from './tcpdumpStderr';

export class FdPacketSource implements PacketSource {
  readonly stdout: Readable;
  private readonly stderr = new TcpdumpStderr();
  private exited = false;
  private readonly exitPromise: Promise<number | null>;

  /** `prefix`: bytes of stdout that were read before the pipe reached this process; they come first. */
  constructor(
    readonly spec: PipelineSpec,
    readonly pid: number,
    stdoutFd: number,
    stderrFd: number,
    prefix: Uint8Array,
  ) {
    const reader = new CoalescingPipeReader(stdoutFd, prefix);
    const pipe = reader.socket;
    this.stdout = reader.out;
    // Already listening: the root helper waited for it before handing over.
    this.stderr.listening = true;
    const err = new Socket({ fd: stderrFd, readable: true, writable: false });
    err.setEncoding('utf8');
    err.on('data', (text: string) => this.stderr.push(text));
    err.on('error', () => undefined);
    pipe.on('error', () => undefined);
    const closed = (s: Socket): Promise<void> => new Promise((r) => s.once('close', () => r()));
    this.exitPromise = Promise.all([closed(pipe), closed(err)]).then(() => {
      this.exited = true;
      return null;
    });
  }

  get counts(): TcpdumpCounts {
    return this.stderr.counts;
  }

  get lastError(): string | undefined {
    return this.stderr.lastError;
  }

  onCounts(listener: (counts: TcpdumpCounts) => void): void {
    this.stderr.onCounts(listener);
  }

  waitUntilListening(): Promise<void> {
    return Promise.resolve();
  }

  requestCounts(): void {
    this.signal('SIGUSR1');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }

  async stop(graceMs = 2000): Promise<number | null> {
    if (!this.exited) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    return this.exitPromise;
  }

  exit(): Promise<number | null> {
    return this.exitPromise;
  }
}
