/** Names of helper containers: what they are for, at a glance in `docker ps`. */
import { randomBytes } from 'node:crypto';

export function helperName(targetId: string, what: string): string {
  const safe = what.replace(/[^a-zA-Z0-9_.-]/g, '_');
  return `dnc-capture-${targetId.slice(0, 12)}-${safe}-${randomBytes(3).toString('hex')}`;
}
