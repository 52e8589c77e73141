/**
 * Starting the CLI's printing process, from the root CLI, the way the root
 * helper starts its packet reader (helper/packetReaderLaunch.ts): through
 * setpriv as nobody with no groups, no_new_privs and empty capability sets,
 * inheriting exactly the channel, the -w file, stdout and stderr. This process
 * gives up its own copies in the same tick, so from here on only the printer
 * reads the channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { HandedOverChannel } from '../client/captureClient';
import { confinedNodeArgv, writeConfigPipe } from '../helper/confinement';
import type { UnprivilegedIdentity } from '../helper/privileges';
import type { PrinterTimelineConfig } from './hostTimelineOutput';
import type { OutputFormat } from './packetPrinter';
import { PRINTER_ARGUMENT, PrinterFd, type PrinterConfig } from './printerConfig';

export interface LaunchedPrinter {
  readonly pid: number | undefined;
  /** Lets the printer go: call only once this process has dropped its privileges. */
  sendConfig(): void;
  signal(signal: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface PrinterLaunchOptions {
  format: OutputFormat;
  verbose: boolean;
  snapLength: number;
  runtime: string;
  script: string;
  tlsKeyLog?: { label: string; output: Readable };
  captureFormat?: 'pcap' | 'pcapng';
  container?: string;
  timeline?: PrinterTimelineConfig;
}

export function startPrinter(
  channel: HandedOverChannel,
  captureFd: number | undefined,
  setpriv: string,
  who: UnprivilegedIdentity,
  options: PrinterLaunchOptions,
): LaunchedPrinter {
  const runtimeFd = openSync(options.runtime, 'r');
  const scriptFd = openSync(options.script, 'r');
  const stdio: unknown[] = ['pipe', 'inherit', 'inherit', channel.socket, runtimeFd, scriptFd, captureFd ?? 'ignore', 'pipe', options.tlsKeyLog?.output ?? 'ignore'];
  const [file, ...args] = confinedNodeArgv(setpriv, who, PrinterFd, [PRINTER_ARGUMENT]) as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(file, args, { stdio: stdio as never, shell: false, env: { ELECTRON_RUN_AS_NODE: '1', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  } finally {
    closeSync(runtimeFd);
    closeSync(scriptFd);
    // Same tick as the spawn: this process reads nothing more from the channel.
    channel.socket.destroy();
    if (captureFd !== undefined) closeSync(captureFd);
  }
  // A signal that arrives before the printer handles signals would kill it
  // mid-start, leaving nothing to print the end: it waits until then.
  let ready = false;
  let pending: NodeJS.Signals | undefined;
  const send = (sig: NodeJS.Signals): void => {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  };
  const readyPipe = (child.stdio as unknown as (Readable | null | undefined)[])[PrinterFd.ready];
  const onReady = (): void => {
    if (ready) return;
    ready = true;
    if (pending) send(pending);
  };
  readyPipe?.on('data', onReady);
  readyPipe?.on('error', () => undefined);
  readyPipe?.on('close', onReady);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', () => resolve({ code: null, signal: null }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const config: PrinterConfig = {
    version: 1,
    format: options.format,
    verbose: options.verbose,
    snapLength: options.snapLength,
    captureFile: captureFd !== undefined,
    unread: channel.unread.toString('base64'),
    ...(options.tlsKeyLog ? { tlsKeyLog: options.tlsKeyLog.label } : {}),
    ...(options.captureFormat ? { captureFormat: options.captureFormat } : {}),
    ...(options.container ? { container: options.container } : {}),
    ...(options.timeline ? { timeline: options.timeline } : {}),
  };
  return {
    pid: child.pid,
    sendConfig: () => writeConfigPipe(child.stdin as Writable, config),
    signal: (sig) => {
      if (ready) send(sig);
      else pending = sig;
    },
    exited,
  };
}
