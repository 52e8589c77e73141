/**
 * Starting the packet reader, from the root helper: `setpriv` makes it nobody
 * with no groups, no_new_privs and empty capability sets before Node even
 * starts (Node cannot call prctl itself), and it inherits exactly the
 * descriptors it needs (readerConfig.ts). This process then gives up its own
 * copies, so from here on only the reader touches packets or the channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { CaptureLimits } from '../protocol/captureRequest';
import { confinedNodeArgv, writeConfigPipe } from './confinement';
import type { UnprivilegedIdentity } from './privileges';
import { ReaderFd, type ReaderConfig } from './readerConfig';
import type { TcpdumpProcess } from './tcpdumpProcess';

export interface LaunchedReader {
  readonly pid: number | undefined;
  /** Lets the reader go: call only once this process has dropped its privileges. */
  sendConfig(): void;
  signal(signal: NodeJS.Signals): void;
  /** The reader's exit, and the tail of what it wrote on stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** The argv (after the runtime and script descriptors are in place) that starts the reader. */
export function readerArgv(setpriv: string, who: UnprivilegedIdentity): string[] {
  return confinedNodeArgv(setpriv, who, ReaderFd, ['--read']);
}

export function startPacketReader(
  processes: TcpdumpProcess[],
  channel: Socket,
  setpriv: string,
  who: UnprivilegedIdentity,
  options: { verbose: boolean; limits: CaptureLimits; runtime: string; script: string },
): LaunchedReader {
  const runtimeFd = openSync(options.runtime, 'r');
  const scriptFd = openSync(options.script, 'r');
  const stdio: (string | number | Readable | Socket)[] = ['pipe', 'ignore', 'pipe', channel, runtimeFd, scriptFd];
  for (const p of processes) stdio.push(p.child.stdout, p.child.stderr);
  const [file, ...args] = readerArgv(setpriv, who) as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: stdio as never, shell: false, env: { ELECTRON_RUN_AS_NODE: '1', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  } finally {
    closeSync(runtimeFd);
    closeSync(scriptFd);
  }
  // Same tick as the spawn: nothing can be read here between the drain and the close.
  const prefixes = processes.map((p) => p.releaseStreams());
  channel.destroy();

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => (stderr = (stderr + t).slice(-4096)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('error', (err) => resolve({ code: null, signal: null, stderr: `${stderr}\n${err.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  const config: ReaderConfig = {
    version: 1,
    verbose: options.verbose,
    identity: who.label,
    limits: options.limits,
    sources: processes.map((p, k) => {
      const { namespaceFd: _held, ...spec } = p.spec;
      return { spec, pid: p.pid ?? 0, prefix: (prefixes[k] ?? Buffer.alloc(0)).toString('base64') };
    }),
  };
  return {
    pid: child.pid,
    sendConfig: () => writeConfigPipe(child.stdin as Writable, config),
    signal: (sig) => {
      try {
        child.kill(sig);
      } catch {
        // already gone
      }
    },
    exited,
  };
}
