/**
 * One tcpdump pipeline: the process, its stderr read for readiness, errors and
 * drop counts, and its stdout (pcap) handed to a reader only once the owner
 * says so, after privileges were dropped.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { PipelineSpec } from './capturePlan';
import type { PacketSource, TcpdumpCounts } from './packetSource';

export type { TcpdumpCounts } from './packetSource';

/** A tcpdump started by this process (the helper, as root). */
export class TcpdumpProcess implements PacketSource {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private stderrText = '';
  private listening = false;
  private exited = false;
  readonly counts: TcpdumpCounts = {};
  private readonly exitPromise: Promise<number | null>;
  private countsListener?: (counts: TcpdumpCounts) => void;

  constructor(readonly spec: PipelineSpec) {
    const [file, ...args] = spec.argv;
    if (!file) throw new Error('empty tcpdump command line');
    // Never a shell: argv goes to execve as it is.
    this.child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
    this.child.stdout.pause();
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => this.onStderr(text));
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderrText += `\n${err.message}`;
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

  get hasExited(): boolean {
    return this.exited;
  }

  /** Everything tcpdump said on stderr, for error messages. */
  get diagnostics(): string {
    return this.stderrText.trim();
  }

  /** The last line tcpdump printed that is an error, not a statistic. */
  get lastError(): string | undefined {
    const lines = this.stderrText
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^listening on|packets? (captured|received by filter|dropped by kernel)/.test(l));
    return lines[lines.length - 1];
  }

  onCounts(listener: (counts: TcpdumpCounts) => void): void {
    this.countsListener = listener;
  }

  /** Resolves once tcpdump has opened the interface; rejects with its error otherwise. */
  async waitUntilListening(timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    while (!this.listening) {
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

  private onStderr(text: string): void {
    // Keep the tail only: a long capture prints counters again and again.
    this.stderrText = (this.stderrText + text).slice(-8192);
    if (/listening on /.test(text)) this.listening = true;
    let changed = false;
    for (const [, n, what] of text.matchAll(/(\d+) packets? (captured|received by filter|dropped by kernel)/g)) {
      const value = Number(n);
      if (what === 'captured') this.counts.captured = value;
      else if (what === 'received by filter') this.counts.received = value;
      else this.counts.droppedByKernel = value;
      changed = true;
    }
    if (changed) this.countsListener?.(this.counts);
  }
}
