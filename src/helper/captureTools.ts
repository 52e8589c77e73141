/**
 * Finds tcpdump and nsenter. Only system directories are searched: these run
 * as root, and a PATH inherited from a user could name a binary of the user's
 * choosing.
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

export function findCaptureTools(): CaptureTools {
  const tcpdump = findSystemTool('tcpdump');
  if (!tcpdump) {
    throw new CaptureError('tcpdump-missing', 'tcpdump is not installed; install it with: sudo apt-get install tcpdump (Debian/Ubuntu) or sudo dnf install tcpdump (Fedora)');
  }
  const nsenter = findSystemTool('nsenter');
  if (!nsenter) {
    throw new CaptureError('tcpdump-missing', 'nsenter is not installed; install it with: sudo apt-get install util-linux');
  }
  return { tcpdump, nsenter };
}
