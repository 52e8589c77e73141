/**
 * Removes helper containers a capture left behind when its process was killed
 * (VS Code killed, CLI killed -9): run at every start. A helper whose owning
 * process still runs is another live capture (a second VS Code window, a CLI
 * next to it) and is left alone. A helper owned by another machine cannot be
 * checked: it is left alone while it runs. A helper that
 * exited is removed whoever owns it: AutoRemove would have taken it had the
 * engine not stopped at that moment (a 'created' one may be a live capture's,
 * about to start, and is left to its owner).
 */
import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { HELPER_LABEL, OWNER_LABEL } from './helperContainerSpec';
import { processIsAlive } from './ownerProcess';

export function isLeftover(owner: string | undefined, state: string, thisHost = hostname()): boolean {
  if (state === 'exited' || state === 'dead') return true;
  const [host, pidText, start] = (owner ?? '').split(':');
  const pid = Number(pidText);
  // Another machine's process cannot be checked from here: its helper may be a live capture.
  if (host !== thisHost || !Number.isInteger(pid) || pid <= 0) return false;
  return !processIsAlive(pid, start);
}

/** Returns the names of the helper containers removed. */
export async function sweepLeftoverHelpers(api: Docker): Promise<string[]> {
  const found = await api.listContainers({ all: true, filters: { label: [`${HELPER_LABEL}=1`] } });
  const removed: string[] = [];
  for (const info of found) {
    if (!isLeftover(info.Labels?.[OWNER_LABEL], info.State)) continue;
    try {
      await api.getContainer(info.Id).remove({ force: true });
      removed.push((info.Names[0] ?? info.Id).replace(/^\//, ''));
    } catch {
      // removed meanwhile (AutoRemove) or by another sweep
    }
  }
  return removed;
}
