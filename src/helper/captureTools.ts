/**
 * Finds the system tools the root side runs: tcpdump, nsenter (entering the
 * pinned namespace), setpriv (no_new_privs, bounding set, dropped ids for
 * every child) and ip (the namespace's interfaces, over netlink). Only system
 * directories are searched: these run as root, and a PATH inherited from a
 * user could name a binary of the user's choosing.
 */
import { accessSync, constants } from 'node:fs';
import { CaptureError } from '../protocol/captureErrors';
import type { CaptureTools } from './capturePlan';

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

export function findSystemTool(name: string): string | undefined {
  for (const dir of SYSTEM_DIRS) {
    const path = `${dir}/${name}`;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

function required(name: string, install: string): string {
  const path = findSystemTool(name);
  if (!path) throw new CaptureError('tcpdump-missing', `${name} is not installed; install it with: ${install}`);
  return path;
}

export function findCaptureTools(): CaptureTools {
  return {
    tcpdump: required('tcpdump', 'sudo apt-get install tcpdump (Debian/Ubuntu) or sudo dnf install tcpdump (Fedora)'),
    nsenter: required('nsenter', 'sudo apt-get install util-linux'),
    setpriv: required('setpriv', 'sudo apt-get install util-linux (Debian/Ubuntu: util-linux or setpriv)'),
    ip: required('ip', 'sudo apt-get install iproute2'),
  };
}
