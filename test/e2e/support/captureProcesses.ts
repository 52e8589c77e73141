/**
 * What a capture leaves on the machine, seen from outside VS Code: the
 * elevated helper process (found by its command line naming dist/helper.js),
 * the tcpdump processes below it, and the Unix sockets bound meanwhile.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { HELPER_SCRIPT_MARKER } from './environment';
import { commandLineOf, identityOf, processTree, processesMatching, type ProcessIdentity } from './processes';

/**
 * The helper itself: the Node process running dist/helper.js. The elevation
 * wrappers (sh, pkexec, bash -c) carry the same words on their command lines,
 * so only a process whose executable is Node counts.
 */
export function helperProcesses(): number[] {
  return processesMatching(HELPER_SCRIPT_MARKER).filter((pid) => {
    const argv0 = commandLineOf(pid).split(' ')[0] ?? '';
    return /(^|\/)node(js)?(\d+)?$/.test(argv0);
  });
}

/** Every process whose command line names the helper: the helper and its elevation wrappers (pkexec, shells). */
export function helperRelatedProcesses(): number[] {
  return processesMatching(HELPER_SCRIPT_MARKER);
}

export interface CaptureProcess extends ProcessIdentity {
  commandLine: string;
}

/** The helper's tcpdump processes (anywhere below it, as it may use nsenter). */
export function tcpdumpsBelow(helperPid: number): CaptureProcess[] {
  return processTree(helperPid)
    .slice(1)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'tcpdump';
      } catch {
        return false;
      }
    })
    .map((pid) => ({ ...identityOf(pid), commandLine: commandLineOf(pid) }));
}

/**
 * The filesystem paths of the Unix sockets the helper talks through: for each
 * socket the helper or its packet reader holds, its own bound path or, when it is the connecting
 * side, the path of the socket at the other end (read from `ss`, which knows
 * each connected socket's peer).
 */
export function helperChannelSocketPaths(helperPid: number): string[] {
  const inodes = new Set<string>();
  // The root helper hands the connected channel to its packet reader (a child): the whole tree counts.
  for (const pid of processTree(helperPid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited meanwhile
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = target.match(/^socket:\[(\d+)\]$/)?.[1];
        if (inode) inodes.add(inode);
      } catch {
        // closed meanwhile
      }
    }
  }
  const byInode = new Map<string, { path: string; peer: string }>();
  const table = execFileSync('ss', ['-x', '-a', '-n'], { encoding: 'utf8' });
  for (const line of table.split('\n').slice(1)) {
    const [, , , , path, inode, , peer] = line.trim().split(/\s+/);
    if (path && inode && peer) byInode.set(inode, { path, peer });
  }
  const paths = new Set<string>();
  for (const inode of inodes) {
    const own = byInode.get(inode);
    if (!own) continue;
    if (own.path.startsWith('/')) paths.add(own.path);
    const peerPath = byInode.get(own.peer)?.path;
    if (peerPath?.startsWith('/')) paths.add(peerPath);
  }
  return [...paths];
}

/**
 * Supplementary groups, read directly: /proc's "Groups:" line is empty for a
 * process that dropped them all, and a pattern allowing newlines after the
 * colon would read the next line instead.
 */
export function supplementaryGroupsOf(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Groups:')) ?? 'Groups:';
  return line.slice('Groups:'.length).trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Paths of bound Unix sockets on the host (the helper's channel is one of them while it runs). */
export function boundUnixSocketPaths(): Set<string> {
  const paths = new Set<string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const path = line.trim().split(/\s+/)[7];
    if (path?.startsWith('/')) paths.add(path);
  }
  return paths;
}

export const NOBODY_UID = 65534;
export const NOGROUP_GID = 65534;
