/**
 * What the helper-container backend's tests share: the tcpdump-only helper
 * images (test/support/helper-image.sh), an ordinary user whose only way to
 * the engine is the daemon's socket, the probe run as that user, and the list
 * of helper containers the engine still holds.
 */
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { HELPER_LABEL, TARGET_LABEL } from '../../src/client/helperContainer/helperContainerSpec';
import { docker, DOCKER_DIR, DOCKER_HOST, REPO } from './dockerFixture';

export const HELPER_IMAGE = 'dnc-tcpdump-helper:latest';
export const NOUSER_HELPER_IMAGE = 'dnc-tcpdump-helper-nouser:latest';
const TEST_USERS = '/run/dnc-test-users';
const SOCKET_GROUP = 'dnc-docker';

export function ensureHelperImages(): void {
  execFileSync('bash', [join(REPO, 'test', 'support', 'helper-image.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000, env: { ...process.env, DNC_DOCKER_DIR: DOCKER_DIR } });
}

/** Helper containers the engine holds now (running or not), by name. */
export function helperContainers(host = DOCKER_HOST): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `label=${HELPER_LABEL}=1`, '--format', '{{.Names}}'], {
    env: { ...process.env, DOCKER_HOST: host },
    encoding: 'utf8',
    timeout: 30_000,
  }).trim();
  return out ? out.split('\n') : [];
}

export interface TargetHelper {
  name: string;
  /** Its tcpdump writes each packet (`-U`): the one whose stream is shown while the interface is quiet; else a block writer standing by. */
  perPacket: boolean;
}

/** A target's running helper containers, and which way each one's tcpdump writes. */
export function targetHelpers(targetId: string, host = DOCKER_HOST): TargetHelper[] {
  const env = { ...process.env, DOCKER_HOST: host };
  const names = execFileSync('docker', ['ps', '--filter', `label=${TARGET_LABEL}=${targetId}`, '--format', '{{.Names}}'], { env, encoding: 'utf8', timeout: 30_000 }).trim();
  return (names ? names.split('\n') : []).map((name) => {
    const args = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .Args}}', name], { env, encoding: 'utf8', timeout: 30_000 })) as string[];
    return { name, perPacket: args.includes('-U') };
  });
}

/** Waits (bounded) until each of the target's `interfaces` has its per-packet helper and a block writer standing by. */
export async function waitForStandbys(targetId: string, interfaces: number, host = DOCKER_HOST): Promise<TargetHelper[]> {
  let helpers = targetHelpers(targetId, host);
  for (let i = 0; i < 100 && helpers.filter((h) => !h.perPacket).length < interfaces; i++) {
    await new Promise((r) => setTimeout(r, 100));
    helpers = targetHelpers(targetId, host);
  }
  return helpers;
}

/** Waits (bounded) until the engine holds no helper container; returns what is left. */
export async function helpersGone(host = DOCKER_HOST): Promise<string[]> {
  let left = helperContainers(host);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = helperContainers(host);
  }
  return left;
}

export interface SocketUser {
  name: string;
  dispose(): void;
}

/**
 * An ordinary user (locked password) who reaches the daemon only through its
 * socket: in the socket's group when the daemon has one, else through the
 * socket's own mode. Registered in /run/dnc-test-users so a crashed run's
 * user can be found and removed.
 */
export function createSocketUser(): SocketUser {
  const name = `dnch5${process.pid % 100000}`;
  execFileSync('useradd', ['--create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  appendFileSync(TEST_USERS, `${name}\n`);
  try {
    execFileSync('getent', ['group', SOCKET_GROUP], { stdio: 'ignore' });
    execFileSync('usermod', ['-aG', SOCKET_GROUP, name], { stdio: 'ignore' });
  } catch {
    // no such group: the socket is reachable by its mode
  }
  return {
    name,
    dispose() {
      try {
        execFileSync('pkill', ['-KILL', '-u', name], { stdio: 'ignore' });
      } catch {
        // no process left
      }
      execFileSync('userdel', ['--remove', name], { stdio: 'ignore' });
      if (existsSync(TEST_USERS)) {
        const rest = readFileSync(TEST_USERS, 'utf8').split('\n').filter((l) => l && l !== name);
        writeFileSync(TEST_USERS, rest.map((l) => `${l}\n`).join(''));
      }
    },
  };
}

export interface ProbeRecord {
  event: string;
  [key: string]: unknown;
}

export interface ProbeArgs {
  container: string;
  image?: string;
  endpoint?: string;
  direction?: 'both' | 'egress' | 'ingress';
  filter?: string;
  snapLength?: number;
  count?: number;
  durationSeconds?: number;
  maxBytes?: number;
  pcap?: string;
}

export interface RunningProbe {
  readonly records: ProbeRecord[];
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves with the first record that matches; rejects past the deadline. */
  waitFor(match: (r: ProbeRecord) => boolean, timeoutMs?: number): Promise<ProbeRecord>;
  stop(): void;
  readonly exited: Promise<void>;
  frames(): ProbeRecord[];
}

/** Starts test/support/containerCaptureProbe.ts, as `user` when given (through runuser), else as this process's user. */
export function startProbe(args: ProbeArgs, user?: string): RunningProbe {
  const json = JSON.stringify({ endpoint: DOCKER_HOST, image: HELPER_IMAGE, ...args });
  const node = [process.execPath, '--import', 'tsx', join(REPO, 'test', 'support', 'containerCaptureProbe.ts'), json];
  const command = user ? ['runuser', '-u', user, '--', ...node] : node;
  const child = spawn(command[0] as string, command.slice(1), { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: user ? `/home/${user}` : (process.env.HOME ?? '/root') } });
  const records: ProbeRecord[] = [];
  let pending = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith('{')) records.push(JSON.parse(line) as ProbeRecord);
    }
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    records,
    child,
    exited,
    frames: () => records.filter((r) => r.event === 'frame'),
    stop: () => child.stdin.write('stop\n'),
    waitFor(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = records.find(match);
          if (found) {
            listeners.delete(listener);
            clearTimeout(timer);
            resolve(found);
          }
          return !!found;
        };
        const listener = (): void => void check();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`probe: no matching record in ${timeoutMs} ms; records: ${JSON.stringify(records.filter((r) => r.event !== 'frame' && r.event !== 'stats')).slice(0, 2000)}; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        if (!check()) listeners.add(listener);
        void child.on('exit', () => setTimeout(() => void check(), 50));
      });
    },
  };
}

/** Runs `docker exec` of a bounded command, ignoring a failure (traffic only). */
export function traffic(container: string, ...cmd: string[]): void {
  try {
    docker('exec', container, ...cmd);
  } catch {
    // wget to a stopped server fails; the test looks at the frames
  }
}
