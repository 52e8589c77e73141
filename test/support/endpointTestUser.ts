/**
 * Throw-away local users for endpoint tests (an ssh login, a rootless Podman). Each has
 * a locked password (no password login at all), is listed in /run/dnc-test-users so a
 * later teardown can find it even if this run dies, and is removed with its home.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export const TEST_USER_REGISTRY = '/run/dnc-test-users';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function createTestUser(name: string): TestUser {
  if (!/^dnc-[a-z0-9-]{1,24}$/.test(name)) throw new Error(`test user names start with dnc-: ${name}`);
  fs.appendFileSync(TEST_USER_REGISTRY, `${name}\n`);
  // The private daemon's socket is root:dnc-docker 0660 (test/support/docker-daemon.sh): a
  // remote user reaches Docker through its group, as a docker-group member would.
  const groups = groupExists('dnc-docker') ? ['-G', 'dnc-docker'] : [];
  execFileSync('useradd', ['-m', '-s', '/bin/sh', ...groups, name], { stdio: ['ignore', 'ignore', 'pipe'] });
  const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g'), home: `/home/${name}` };
}

/** Ends what still runs as the user (by pid: only this test's processes run as it), then removes it. */
export function deleteTestUser(user: TestUser): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = processesOf(user.uid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, attempt < 5 ? 'SIGTERM' : 'SIGKILL');
      } catch {
        // already gone
      }
    }
    execFileSync('sleep', ['0.2']);
  }
  try {
    execFileSync('userdel', ['-r', user.name], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // userdel -r complains about a missing mail spool but removes the user.
    if (userExists(user.name)) throw e;
  }
  try {
    const names = fs.readFileSync(TEST_USER_REGISTRY, 'utf8').split('\n').filter((n) => n && n !== user.name);
    if (names.length) fs.writeFileSync(TEST_USER_REGISTRY, `${names.join('\n')}\n`);
    else fs.rmSync(TEST_USER_REGISTRY, { force: true });
  } catch {
    // registry already gone
  }
}

function processesOf(uid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const line = /^Uid:\s+(\d+)/m.exec(status);
      if (line && Number(line[1]) === uid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function groupExists(name: string): boolean {
  try {
    execFileSync('getent', ['group', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
