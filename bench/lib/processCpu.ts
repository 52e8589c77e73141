/**
 * CPU time per process name over an interval, read from /proc/PID/stat
 * (utime + stime): "counting" where a live capture's time goes across
 * processes (tcpdump, containerd-shim, dockerd, this Node process, the
 * flooder), which a --cpu-prof of one process cannot show. On a shared
 * machine other engineers' processes show too; the bench names only the ones
 * of the capture path.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface ProcessTicks {
  comm: string;
  ticks: number;
}

function readAll(): Map<number, ProcessTicks> {
  const all = new Map<number, ProcessTicks>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm is in parentheses and may contain spaces: fields follow the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = nameOf(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      const fields = stat.slice(close + 2).split(' ');
      all.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return all;
}

/** Node processes told apart: this bench (the consumer), the flooder, anyone else's. */
function nameOf(pid: number, comm: string): string {
  if (pid === process.pid) return 'consumer (bench node)';
  if (comm !== 'node' && comm !== 'MainThread') return comm;
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  if (cmdline.includes('udpFlood')) return 'flooder (node)';
  return cmdline.includes('helper.js') ? 'dnc-root-helper (node)' : 'other node';
}

export interface CpuShare {
  comm: string;
  /** CPU seconds used over the interval by every process of that name. */
  seconds: number;
}

/** Starts counting; `stop()` gives CPU seconds per process name, largest first. */
export function countProcessCpu(): { stop(): CpuShare[] } {
  const before = readAll();
  return {
    stop() {
      const byComm = new Map<string, number>();
      for (const [pid, now] of readAll()) {
        const delta = now.ticks - (before.get(pid)?.comm === now.comm ? (before.get(pid)?.ticks ?? 0) : 0);
        if (delta > 0) byComm.set(now.comm, (byComm.get(now.comm) ?? 0) + delta / TICKS_PER_SECOND);
      }
      return [...byComm].map(([comm, seconds]) => ({ comm, seconds })).sort((a, b) => b.seconds - a.seconds);
    },
  };
}
