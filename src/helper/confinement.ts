/**
 * The confinement every process that parses packet bytes runs under, shared by
 * the helper's packet reader and the CLI's printing process (pure, so the
 * CLI imports it too):
 *
 * - started through util-linux setpriv as nobody with no groups, no_new_privs
 *   and empty bounding/inheritable sets, because Node cannot call prctl itself;
 * - checked from the inside, in /proc/self/status, before the first byte is read.
 */
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { confineUnprivileged } from './capturePlan';
import type { UnprivilegedIdentity } from './privileges';

/**
 * The argv that runs `node SCRIPT ...args` confined. The runtime and the script
 * come through descriptors opened by root (nobody may not reach them by path:
 * an extension or checkout under a 0700 home directory).
 */
export function confinedNodeArgv(setpriv: string, who: UnprivilegedIdentity, fds: { runtime: number; script: number }, args: string[]): string[] {
  return [...confineUnprivileged({ setpriv }, who.uid, who.gid), `/proc/self/fd/${fds.runtime}`, '--preserve-symlinks-main', `/proc/self/fd/${fds.script}`, ...args];
}

/** The confinement this process must be under, from /proc/self/status; undefined when it is. */
export function confinementProblem(status: string): string | undefined {
  const field = (name: string): string | undefined => status.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'm'))?.[1]?.trim();
  const uids = (field('Uid') ?? '').split(/\s+/).map(Number);
  if (uids.length !== 4 || uids.some((u) => !Number.isInteger(u) || u === 0)) return `runs with uid ${field('Uid') ?? '?'}`;
  const gids = (field('Gid') ?? '').split(/\s+/).map(Number);
  if (gids.length !== 4 || gids.some((g) => !Number.isInteger(g) || g === 0)) return `runs with gid ${field('Gid') ?? '?'}`;
  if ((field('Groups') ?? '') !== '') return `keeps supplementary groups ${field('Groups') ?? ''}`;
  if (field('NoNewPrivs') !== '1') return 'runs without no_new_privs';
  for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
    const value = field(set);
    if (value !== undefined && !/^0+$/.test(value)) return `keeps capabilities (${set} ${value})`;
  }
  return undefined;
}

/**
 * Reads a confined process's configuration: the whole of the pipe its launcher
 * wrote and closed (the packet reader's and the CLI printer's fd 0).
 */
export function readConfigPipe(fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = new Socket({ fd, readable: true, writable: false });
    const parts: Buffer[] = [];
    input.on('data', (b: Buffer) => parts.push(b));
    input.on('error', reject);
    input.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

/**
 * The launcher's side of readConfigPipe: writes the configuration to the confined
 * child's stdin and closes it. A child that died first makes the write fail; its
 * exit says why, so the write's error is not reported twice.
 */
export function writeConfigPipe(stdin: Writable, config: unknown): void {
  stdin.on('error', () => undefined);
  stdin.end(JSON.stringify(config));
}
