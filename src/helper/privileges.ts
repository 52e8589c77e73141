/**
 * Dropping root. Everything that touches packet bytes runs after this, as
 * `nobody` with no supplementary groups, so a parser bug exploited by hostile
 * traffic gains nothing a stranger on the machine does not already have.
 */
import { readFileSync } from 'node:fs';

export interface UnprivilegedIdentity {
  uid: number;
  gid: number;
  /** Names, for logs: `nobody:nogroup`. */
  label: string;
}

/** `nobody`, and Debian's `nogroup` (other systems call the group `nobody`). */
export function nobodyIdentity(): UnprivilegedIdentity {
  const uid = lookupId('/etc/passwd', 'nobody', 2) ?? 65534;
  const groupName = lookupId('/etc/group', 'nogroup', 2) !== undefined ? 'nogroup' : 'nobody';
  const gid = lookupId('/etc/group', groupName, 2) ?? 65534;
  return { uid, gid, label: `nobody:${groupName}` };
}

function lookupId(file: string, name: string, column: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name) {
      const id = Number(parts[column]);
      return Number.isInteger(id) ? id : undefined;
    }
  }
  return undefined;
}

/**
 * Irreversibly becomes `who`: groups first (only root may change them), then the
 * gid, then the uid. Verifies the result, because a half-dropped process that
 * carries on would be worse than one that stops.
 */
export function dropPrivileges(who: UnprivilegedIdentity = nobodyIdentity()): void {
  if (!process.setgroups || !process.setgid || !process.setuid || !process.getuid) {
    throw new Error('this platform cannot drop privileges');
  }
  if (process.getuid() !== 0) return; // nothing to drop
  process.setgroups([]);
  process.setgid(who.gid);
  process.setuid(who.uid);
  const groups = process.getgroups?.() ?? [];
  if (
    process.getuid() !== who.uid ||
    process.geteuid?.() !== who.uid ||
    process.getgid?.() !== who.gid ||
    process.getegid?.() !== who.gid ||
    groups.some((g) => g !== who.gid)
  ) {
    throw new Error('privilege drop did not take effect');
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
