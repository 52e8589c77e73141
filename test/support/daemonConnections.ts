/**
 * Who holds a connection to the Docker daemon, seen from outside: the daemon's
 * side of each connection is listed by `ss -x` with the socket's path and the
 * peer's inode; a process holds that connection when one of its descriptors in
 * /proc/PID/fd is `socket:[that inode]`. A connection to the daemon's socket is
 * root-equivalent, so a process reading hostile packets must hold none.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Inodes of the client ends of every connection the daemon accepted on `socketPath`. */
export function daemonPeerInodes(socketPath: string): Set<number> {
  const peers = new Set<number>();
  const out = execFileSync('ss', ['-x', '-n'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    // Netid State Recv-Q Send-Q Local Port Peer Port
    const cols = line.trim().split(/\s+/);
    if (cols[4] === socketPath && cols[7] !== undefined) {
      const peer = Number(cols[7]);
      if (Number.isInteger(peer) && peer > 0) peers.add(peer);
    }
  }
  return peers;
}

/** The socket inodes among a process's open descriptors (empty once it is gone). */
export function socketInodesOf(pid: number): Map<number, string> {
  const inodes = new Map<number, string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.set(Number(m[1]), fd);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** `pid` and every process below it (children, grandchildren...). */
export function processTree(pid: number): number[] {
  const all = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const p of all) if (parentOf(p) === tree[i] && !tree.includes(p)) tree.push(p);
  }
  return tree;
}

export interface DaemonConnection {
  pid: number;
  fd: string;
  inode: number;
}

/** Every descriptor of `pids` that is a connection to the daemon listening on `socketPath`. */
export function daemonConnectionsOf(pids: number[], socketPath: string): DaemonConnection[] {
  const peers = daemonPeerInodes(socketPath);
  const found: DaemonConnection[] = [];
  for (const pid of pids) {
    for (const [inode, fd] of socketInodesOf(pid)) if (peers.has(inode)) found.push({ pid, fd, inode });
  }
  return found;
}
