/**
 * One tcpdump pipeline: the process, its stderr read for readiness, errors and
 * drop counts, and its stdout (pcap) handed to a reader only once the owner
 * says so, after privileges were dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CHILD_NAMESPACE_FD, type PipelineSpec } from './capturePlan';
import type { PacketSource, TcpdumpCounts } from './packetSource';
import { TcpdumpStderr } from './tcpdumpStderr';

export type { TcpdumpCounts } from './packetSource';

/** A tcpdump started by this process (the helper, as root). */
export class TcpdumpProcess implements PacketSource {
  readonly child: ChildProcess & { stdout: Readable; stderr: Readable };
  private readonly stderr = new TcpdumpStderr();
  private exited = false;
  private readonly exitPromise: Promise<number | null>;

  constructor(readonly spec: PipelineSpec) {
    const [file, ...args] = spec.argv;
    if (!file) throw new Error('empty tcpdump command line');
    // The pinned namespace (if any) becomes the child's fd 3, which the argv's
    // `nsenter --net=/proc/self/fd/3` enters.
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
    if (spec.namespaceFd !== undefined) stdio[CHILD_NAMESPACE_FD] = spec.namespaceFd;
    // Never a shell: argv goes to execve as it is.
    this.child = spawn(file, args, { stdio, shell: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } }) as ChildProcess & { stdout: Readable; stderr: Readable };
    this.child.stdout.pause();
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => this.stderr.push(text));
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr.push(`\n${err.message}`);
        this.exited = true;
        resolve(null);
      });
      this.child.on('exit', (code) => {
        this.exited = true;
        resolve(code);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): Readable {
    return this.child.stdout;
  }

  get counts(): TcpdumpCounts {
    return this.stderr.counts;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Everything tcpdump said on stderr, for error messages. */
  get diagnostics(): string {
    return this.stderr.diagnostics;
  }

  /** The last line tcpdump printed that is an error, not a statistic. */
  get lastError(): string | undefined {
    return this.stderr.lastError;
  }

  onCounts(listener: (counts: TcpdumpCounts) => void): void {
    this.stderr.onCounts(listener);
  }

  /** Resolves once tcpdump has opened the interface; rejects with its error otherwise. */
  async waitUntilListening(timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    while (!this.stderr.listening) {
      if (this.exited) throw new Error(this.lastError ?? 'tcpdump exited before it started listening');
      if (Date.now() - started > timeoutMs) throw new Error(`tcpdump did not start within ${timeoutMs / 1000} s: ${this.lastError ?? 'no output'}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Asks tcpdump to print its counters (it does so on SIGUSR1 on Linux). */
  requestCounts(): void {
    if (!this.exited) this.signal('SIGUSR1');
  }

  signal(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }

  async stop(graceMs = 2000): Promise<number | null> {
    if (!this.exited) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      const code = await this.exitPromise;
      clearTimeout(timer);
      return code;
    }
    return this.exitPromise;
  }

  exit(): Promise<number | null> {
    return this.exitPromise;
  }

  /**
   * Gives up this process's ends of tcpdump's output and error pipes, for a
   * packet reader that inherited them. Returns the pcap bytes already buffered
   * here (the global header is written before "listening on"), which the reader
   * must see first. Synchronous on purpose: no read can complete between the
   * drain and the close, so no byte is lost or read twice.
   */
  releaseStreams(): Buffer {
    const parts: Buffer[] = [];
    for (let chunk = this.child.stdout.read() as Buffer | null; chunk !== null; chunk = this.child.stdout.read() as Buffer | null) parts.push(chunk);
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    return Buffer.concat(parts);
  }
}
