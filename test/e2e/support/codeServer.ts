/**
 * code-server (VS Code for the browser) running as the ordinary test user, the
 * way a developer runs VS Code: not root, with a fresh profile, extensions
 * folder and workspace, and the freshly packaged .vsix installed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, createWriteStream, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { freePort } from '../../support/freePort';
import { join } from 'node:path';
import packageJson from '../../../package.json';
import { CODE_SERVER, DOCKER_HOST, E2E_USER, VSIX } from './environment';
import { endProcesses, isAlive, processTree, waitFor } from './processes';

export interface CodeServer {
  url: string;
  /** The folder VS Code has open; owned by the test user. */
  workspace: string;
  /** Root of this run's private folders (home, profile, extensions, workspace). */
  root: string;
  extensionsDir: string;
  userDataDir: string;
  /** Ends code-server and every process below it (extension host, helper...). */
  stop(): Promise<void>;
  /** Copies code-server's and the extension host's logs into `dir`. */
  collectLogs(dir: string): void;
}

const USER_SETTINGS = {
  // Without these a trust dialog covers the window and untrusted-mode
  // extensions stay off; the welcome page would hide the editor area.
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'dockerNetworkCapture.dockerHost': DOCKER_HOST,
  // Keeps screenshots free of pop-ups that are not ours.
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

/** The extension's settings declared with `"scope": "machine"` in package.json. */
const MACHINE_SETTINGS = new Set(
  [packageJson.contributes.configuration].flat().flatMap((c) => Object.entries(c.properties as Record<string, { scope?: string }>).filter(([, v]) => v.scope === 'machine').map(([k]) => k)),
);

/**
 * Writes the settings where a user's own would be. code-server's window is a remote one,
 * and VS Code reads a machine-scoped setting in a remote window from the remote's settings
 * (`Machine/settings.json`) only: the same setting in the user's settings was honoured in
 * some runs and ignored in others (two CI runs captured with the default helper image).
 */
function writeSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const user: Record<string, unknown> = {};
  const machine: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) (MACHINE_SETTINGS.has(key) ? machine : user)[key] = value;
  for (const [dir, values] of [['User', user], ['Machine', machine]] as const) {
    mkdirSync(join(userDataDir, dir), { recursive: true });
    writeFileSync(join(userDataDir, dir, 'settings.json'), JSON.stringify(values, null, 2));
  }
}

function userIds(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/**
 * The test user's environment: nothing of root's leaks in. EXTENSIONS_GALLERY `{}` leaves
 * code-server without a gallery, so it never looks one up (its default one's name went to
 * the host's resolver at every start): the tests reach nothing outside the machine.
 */
function userEnvironment(home: string): string[] {
  return [`HOME=${home}`, 'PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', `DOCKER_HOST=${DOCKER_HOST}`, 'LANG=C.UTF-8', 'SHELL=/bin/bash', 'EXTENSIONS_GALLERY={}'];
}

/** Runs `args` as the test user with a file-descriptor limit pkexec can live with. */
function asTestUserArgs(home: string, args: string[], user = E2E_USER): string[] {
  // ulimit first: polkit's pkexec closes every descriptor up to RLIMIT_NOFILE
  // and spins for minutes when that limit is huge, as it is under VS Code.
  return ['-c', 'ulimit -n 4096 && exec "$@"', 'bash', 'runuser', '-u', user, '--', 'env', '-i', ...userEnvironment(home), ...args];
}

/** Per test file: another test user (one polkit does not let through, say) and settings on top of USER_SETTINGS. */
export interface CodeServerOptions {
  user?: string;
  settings?: Record<string, unknown>;
}

export async function startCodeServer(logDir: string, options: CodeServerOptions = {}): Promise<CodeServer> {
  const user = options.user ?? E2E_USER;
  if (!existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run test/e2e/setup.sh as root first`);
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` first`);
  const { uid, gid } = userIds(user);
  const root = mkdtempSync('/tmp/dnc-e2e-run-');
  const home = join(root, 'home');
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  for (const d of [home, join(userDataDir, 'User'), extensionsDir, workspace]) mkdirSync(d, { recursive: true });
  writeSettings(userDataDir, { ...USER_SETTINGS, ...options.settings });
  const vsix = join(root, 'docker-network-capture.vsix');
  copyFileSync(VSIX, vsix);
  chownTree(root, uid, gid);

  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check'];
  execFileSync('bash', asTestUserArgs(home, [CODE_SERVER, ...common, '--install-extension', vsix], user), { stdio: 'pipe', timeout: 120_000 });
  const installed = readdirSync(extensionsDir).filter((e) => e.startsWith('docker-network-capture.'));
  if (installed.length === 0) throw new Error(`the .vsix did not install into ${extensionsDir}`);

  const port = await freePort();
  const log = createWriteStream(join(logDir, 'code-server.log'));
  const child: ChildProcess = spawn(
    'bash',
    asTestUserArgs(home, [CODE_SERVER, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-workspace-trust', workspace], user),
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  const url = `http://127.0.0.1:${port}`;

  // If the test process itself is ended (Ctrl-C, a runner timeout), take
  // code-server and everything below it along, synchronously.
  const killNow = (): void => {
    for (const p of processTree(pid).reverse()) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async (): Promise<void> => {
    process.off('exit', killNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Everything below the launcher: runuser, code-server, its extension host
    // and whatever the extension started (the elevated helper, tcpdump).
    if (isAlive(pid)) await endProcesses(processTree(pid).reverse());
    log.end();
  };
  try {
    await waitFor('code-server to answer', async () => {
      if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${join(logDir, 'code-server.log')}`);
      const response = await fetch(`${url}/healthz`).catch(() => undefined);
      return response?.ok === true;
    }, 60_000, 250);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `${url}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    root,
    extensionsDir,
    userDataDir,
    stop,
    collectLogs(dir: string) {
      const logs = join(userDataDir, 'logs');
      if (existsSync(logs)) cpSync(logs, join(dir, 'vscode-logs'), { recursive: true });
    },
  };
}

/** Removes a run's private folders (after logs were collected). */
export function removeRunFolders(server: CodeServer): void {
  rmSync(server.root, { recursive: true, force: true });
}
