import { readFileSync } from 'node:fs';

/** Start time of a process (field 22 of /proc/PID/stat), so a reused PID is not mistaken for it. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
