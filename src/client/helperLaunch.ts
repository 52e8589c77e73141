/**
 * Starting the helper as root. The command line holds only paths this
 * extension chose (its own install path, the runtime, a directory it created),
 * each checked against a conservative character set: sudo-prompt hands the
 * string to `bash -c` as root and escapes nothing but double quotes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';

const SAFE_PATH = /^\/[A-Za-z0-9 _./+@,-]*$/;

/**
 * sudo-prompt starts with `cd "<process.cwd()>"` in a shell, escaping nothing
 * but double quotes: a working directory named `p$(cmd)` would run cmd. It is
 * used only when the working directory cannot be read as shell syntax.
 */
export function isShellSafeDirectory(dir: string): boolean {
  return SAFE_PATH.test(dir);
}

function quotePath(path: string): string {
  if (!SAFE_PATH.test(path) || path.includes('..')) {
    throw new CaptureError('elevation-failed', `refusing to elevate: the path ${JSON.stringify(path)} has characters that are unsafe on a root command line`);
  }
  return `"${path}"`;
}

/**
 * The root command. ELECTRON_RUN_AS_NODE=1 is set inside it because pkexec
 * clears the environment, and in VS Code desktop the runtime is Electron,
 * which runs a script as Node only with that variable.
 */
export function helperCommandLine(nodeExecutable: string, helperScript: string, requestPath: string): string {
  return `ELECTRON_RUN_AS_NODE=1 ${quotePath(nodeExecutable)} ${quotePath(helperScript)} ${quotePath(requestPath)}`;
}

export interface LaunchedHelper {
  /** Resolves when the helper process (or the elevation wrapper) exits. */
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** As root already: spawn it directly, no prompt. */
export function launchDirect(nodeExecutable: string, helperScript: string, requestPath: string): LaunchedHelper {
  const child = spawn(nodeExecutable, [helperScript, requestPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ELECTRON_RUN_AS_NODE: '1', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => (stderr = (stderr + t).slice(-4096)));
  return {
    exited: new Promise((resolve) => {
      child.on('error', (e) => resolve({ code: null, stderr: e.message }));
      child.on('exit', (code) => resolve({ code, stderr }));
    }),
  };
}

interface SudoPromptModule {
  exec(command: string, options: { name: string }, callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void): void;
}

/**
 * Through sudo-prompt (pkexec on Linux). We use Microsoft's maintained fork
 * `@vscode/sudo-prompt`: same API as `sudo-prompt`, but it works on current
 * Node, where 9.2.1 of the original does not.
 */
export function launchElevated(nodeExecutable: string, helperScript: string, requestPath: string): LaunchedHelper {
  if (!isShellSafeDirectory(process.cwd())) return launchPkexecDirectly(nodeExecutable, helperScript, requestPath);
  const command = helperCommandLine(nodeExecutable, helperScript, requestPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sudo = require('@vscode/sudo-prompt') as SudoPromptModule;
  return {
    exited: new Promise((resolve, reject) => {
      sudo.exec(command, { name: 'Docker Network Capture' }, (error, _stdout, stderr) => {
        const err = String(stderr ?? '');
        if (!error) return resolve({ code: 0, stderr: err });
        if (/did not grant permission/i.test(error.message)) {
          const code = (error as Error & { code?: unknown }).code;
          // sudo-prompt's marker says the command never ran as root: its exit code is pkexec's own.
          return reject(pkexecRefusal(typeof code === 'number' ? code : null, err, true) ?? new CaptureError('cancelled', 'Capture cancelled: permission was not granted.'));
        }
        if (NO_PROMPT_POSSIBLE.test(error.message)) {
          return reject(new CaptureError('elevation-failed', `${error.message} Run VS Code's capture from a desktop session with a polkit agent, or use the CLI with sudo.`));
        }
        const code = (error as Error & { code?: number }).code;
        resolve({ code: typeof code === 'number' ? code : 1, stderr: err || error.message });
      });
    }),
  };
}

/**
 * pkexec from an argv array, no shell anywhere, started in `/`: the way when
 * the working directory is not shell-safe. prlimit keeps pkexec from spinning
 * over a huge descriptor limit (VS Code raises it; pkexec closes each one).
 * Its answers are worded as sudo-prompt's, so callers see one set of errors.
 */
function launchPkexecDirectly(nodeExecutable: string, helperScript: string, requestPath: string): LaunchedHelper {
  const pkexec = ['/usr/bin/pkexec', '--disable-internal-agent', '/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', nodeExecutable, helperScript, requestPath];
  const argv = existsSync('/usr/bin/prlimit') ? ['/usr/bin/prlimit', '--nofile=4096:4096', '--', ...pkexec] : pkexec;
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'], shell: false });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => (stderr = (stderr + t).slice(-4096)));
  return {
    exited: new Promise((resolve, reject) => {
      child.on('error', (e) => reject(new CaptureError('elevation-failed', `Unable to find pkexec (${e.message}). Run VS Code's capture from a desktop session with a polkit agent, or use the CLI with sudo.`)));
      child.on('exit', (code) => {
        const refusal = pkexecRefusal(code, stderr, false);
        if (refusal) return reject(refusal);
        if (code === 127 && /authentication agent/i.test(stderr)) {
          return reject(new CaptureError('elevation-failed', 'No polkit authentication agent found. Run VS Code\'s capture from a desktop session with a polkit agent, or use the CLI with sudo.'));
        }
        resolve({ code, stderr });
      });
    }),
  };
}

export const AUTHORIZATION_REFUSED_MESSAGE =
  'Authorization refused: polkit does not allow your user to run the capture helper as root (pkexec: Not authorized). ' +
  'Ask an administrator to allow org.freedesktop.policykit.exec for you, or capture without root: set dockerNetworkCapture.captureBackend to helperContainer (or the CLI\'s --via container).';

/**
 * sudo-prompt's own words when no password prompt can be shown at all: "No
 * polkit authentication agent found." and "Unable to find pkexec or kdesudo."
 */
const NO_PROMPT_POSSIBLE = /authentication agent|Unable to find pkexec/i;

/**
 * Whether an elevation failed because no password prompt can be shown here
 * (not because the user said no): with Capture Backend `auto` the capture can
 * still go through helper containers.
 */
export function noPasswordPromptPossible(e: unknown): e is CaptureError {
  return isCaptureError(e) && e.code === 'elevation-failed' && NO_PROMPT_POSSIBLE.test(e.message);
}

/**
 * What pkexec's exit says about the elevation, before the helper ran. pkexec
 * exits 126 when the user dismissed the dialog (a quiet cancel) and 127 when
 * polkit refused (or could not ask): that is no cancel, the user must be told
 * that asking again will not help, and what will. "No authentication agent"
 * is told apart by its words. A bare 127 counts only when the command is known
 * never to have run as root (`neverElevated`): otherwise it may be the
 * helper's own exit code. Undefined: not an elevation refusal.
 */
export function pkexecRefusal(code: number | null, stderr: string, neverElevated: boolean): CaptureError | undefined {
  if (/authentication agent/i.test(stderr)) return undefined;
  if (/not authorized/i.test(stderr) || (neverElevated && code === 127)) return new CaptureError('authorization-refused', AUTHORIZATION_REFUSED_MESSAGE);
  if (code === 126 || /dismissed/i.test(stderr)) return new CaptureError('cancelled', 'Capture cancelled: permission was not granted.');
  return undefined;
}
