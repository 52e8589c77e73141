/**
 * Whether pkexec would run the capture helper as root WITHOUT asking for a
 * password right now: polkit answers `pkcheck` for this process without
 * letting it interact (no dialog), exit 0 meaning "authorized". That is the
 * case with a rule that returns YES for the user (the tests' polkit rule, an
 * administrator's choice), not with the usual `auth_admin` policy. A capture
 * of a Compose project through the host helper starts one more helper for a
 * container that starts later only then: a second password prompt in the
 * middle of a capture is not something to spring on a user.
 *
 * pkcheck's argv is fixed (the action id and our own PID): no user text, no shell.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

const PKCHECK = '/usr/bin/pkcheck';
/** sudo-prompt prefers kdesudo when it exists: polkit's answer says nothing about that one. */
const KDESUDO = '/usr/bin/kdesudo';

export function elevationIsPasswordless(pid: number = process.pid): Promise<boolean> {
  if (!existsSync(PKCHECK) || existsSync(KDESUDO)) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(PKCHECK, ['--action-id', 'org.freedesktop.policykit.exec', '--process', String(pid)], { timeout: 10_000 }, (error) => resolve(!error));
  });
}
