/**
 * A private OpenSSH server on loopback for ssh:// engine tests: its own config and host
 * key in a temp dir, a free port, and `SetEnv DOCKER_HOST=…` so the remote side's
 * `docker system dial-stdio` reaches the project's private daemon. Also the client side
 * a user would have: an ssh-agent holding the key, known_hosts filled with ssh-keyscan,
 * a Host alias in ~/.ssh/config. The client's files are root's own (ssh reads the home
 * of the passwd entry, not $HOME): lines are added between markers and removed again,
 * files and folders this created are deleted.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestUser } from './endpointTestUser';
import { freePort } from './freePort';

export interface PrivateSshd {
  port: number;
  dir: string;
  pid: number;
  /** Ends every client session (the per-connection sshd processes), not the server. */
  cutSessions(): number;
  stop(): Promise<void>;
}

export async function startPrivateSshd(user: TestUser, authorizedKey: string, dockerHost: string, listen: string[]): Promise<PrivateSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-sshd-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  const sshDir = path.join(user.home, '.ssh');
  fs.mkdirSync(sshDir, { mode: 0o700, recursive: true });
  fs.writeFileSync(path.join(sshDir, 'authorized_keys'), authorizedKey, { mode: 0o600 });
  fs.chownSync(sshDir, user.uid, user.gid);
  fs.chownSync(path.join(sshDir, 'authorized_keys'), user.uid, user.gid);
  const port = await freePort();
  const config = [
    `Port ${port}`,
    ...listen.map((a) => `ListenAddress ${a}`),
    `HostKey ${path.join(dir, 'host_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM yes',
    `AllowUsers ${user.name}`,
    'X11Forwarding no',
    'AllowTcpForwarding no',
    `SetEnv DOCKER_HOST=${dockerHost}`,
    'LogLevel VERBOSE',
  ];
  fs.writeFileSync(path.join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  // sshd's privilege-separation folder; Debian's package normally makes it at boot.
  const madeRunDir = !fs.existsSync('/run/sshd');
  if (madeRunDir) fs.mkdirSync('/run/sshd', { mode: 0o755 });
  const log = fs.openSync(path.join(dir, 'sshd.log'), 'a');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  await waitForPort(port, listen[0] ?? '127.0.0.1', child, dir);
  const pid = child.pid as number;
  return {
    port,
    dir,
    pid,
    cutSessions: () => {
      const sessions = childrenOf(pid);
      killTrees(sessions);
      return sessions.length;
    },
    stop: async () => {
      killTrees(childrenOf(pid));
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (madeRunDir) fs.rmSync('/run/sshd', { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, host: string, child: ChildProcess, dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${fs.readFileSync(path.join(dir, 'sshd.log'), 'utf8')}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${host}:${port}`);
}

/**
 * A session is a privileged monitor with the user's sshd under it; killing only the
 * monitor leaves the user's half (re-parented) holding the connection open.
 */
function killTrees(roots: number[]): void {
  const all: number[] = [];
  const walk = (p: number): void => {
    all.push(p);
    for (const c of childrenOf(p)) walk(c);
  };
  for (const r of roots) walk(r);
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** An ssh-agent on a socket in `dir`, holding `keyFile`. */
export function startSshAgent(dir: string, keyFile: string): { socket: string; stop(): void } {
  const socket = path.join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !fs.existsSync(socket); i++) execFileSync('sleep', ['0.1']);
  execFileSync('ssh-add', ['-q', keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: ['ignore', 'ignore', 'pipe'] });
  return {
    socket,
    stop: () => {
      agent.kill('SIGTERM');
    },
  };
}

/**
 * Lines added to a file of root's ~/.ssh between markers; undo() removes them (and the
 * file and folder when this created them).
 */
export function addToRootSshFile(name: 'config' | 'known_hosts', text: string, marker: string): { undo(): void } {
  const sshDir = path.join(os.userInfo().homedir, '.ssh');
  const madeDir = !fs.existsSync(sshDir);
  if (madeDir) fs.mkdirSync(sshDir, { mode: 0o700 });
  const file = path.join(sshDir, name);
  const madeFile = !fs.existsSync(file);
  const begin = `# >>> ${marker}`;
  const end = `# <<< ${marker}`;
  fs.appendFileSync(file, `${begin}\n${text.trimEnd()}\n${end}\n`, { mode: 0o600 });
  return {
    undo: () => {
      if (madeFile) fs.rmSync(file, { force: true });
      else {
        const content = fs.readFileSync(file, 'utf8');
        const start = content.indexOf(`${begin}\n`);
        const stop = content.indexOf(`${end}\n`);
        if (start >= 0 && stop > start) fs.writeFileSync(file, content.slice(0, start) + content.slice(stop + end.length + 1));
      }
      if (madeDir) fs.rmSync(sshDir, { recursive: true, force: true });
    },
  };
}
