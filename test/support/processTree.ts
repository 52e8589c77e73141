/** Reading /proc the way the kernel sees it: who a process really runs as. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  name: string;
  /** Real, effective, saved, filesystem uid. */
  uids: number[];
  gids: number[];
  groups: number[];
}

export function identityOf(pid: number): ProcessIdentity {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => status.match(new RegExp(`^${name}:[ \\t]*([^\\n]*)$`, 'm'))?.[1]?.trim() ?? '';
  const numbers = (s: string): number[] => s.split(/\s+/).filter(Boolean).map(Number);
  return { pid, name: field('Name'), uids: numbers(field('Uid')), gids: numbers(field('Gid')), groups: numbers(field('Groups')) };
}

export function childrenOf(pid: number): number[] {
  const result: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) result.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return result;
}

/** Every process whose command line contains `needle`. */
export function processesMatching(needle: string): number[] {
  const result: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) result.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return result;
}

/** Resident memory of `pid` in MB, 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
