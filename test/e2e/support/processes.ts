/**
 * The processes a test started, found through /proc and ended by pid: never by
 * name, so nothing else on the machine is touched.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { childrenOf, identityOf, processesMatching, type ProcessIdentity } from '../../support/processTree';

export { identityOf, processesMatching, type ProcessIdentity };

/** `pid` and everything below it, parents first. */
export function processTree(pid: number): number[] {
  const result: number[] = [];
  const queue = [pid];
  // Bounded: a process tree on a test machine has far fewer entries.
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const current = queue[i];
    if (current === undefined) break;
    result.push(current);
    queue.push(...childrenOf(current));
  }
  return result;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** TERM then, after `graceMs`, KILL for each pid still alive. */
export async function endProcesses(pids: readonly number[], graceMs = 3000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(100);
  for (const pid of pids) if (isAlive(pid)) signal(pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Processes whose executable name (comm) is exactly `name`. */
export function processesNamed(name: string): number[] {
  const result: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) result.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return result;
}

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined/false, or throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
