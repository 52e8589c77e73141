/**
 * Starting the key log reader (keyLogReader.ts) from the root CLI, before the capture:
 * through setpriv as the user who ran sudo (SUDO_UID / PKEXEC_UID; root itself when root
 * ran the CLI directly), with that user's groups, no_new_privs and no capabilities. Resolves
 * once the reader has read the key log the first time; rejects with its reason otherwise.
 *
 * Its stdout is handed to the printer untouched (`handOver`): the reader writes nothing
 * there before `go`, which is sent only after the printer holds the pipe. This process keeps
 * the reader's stdin open and nothing else: when this process exits, the reader stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { KeyLogSpec } from '../client/tls/keyLogSpec';
import { keyLogLabel } from '../client/tls/keyLogSpec';
import { CaptureError } from '../protocol/captureErrors';
import { invokingUser } from './captureFile';
import { KEY_LOG_READER_ARGUMENT, READER_STATUS_FD, type ReaderConfig } from './keyLogReader';

export interface LaunchedKeyLogReader {
  readonly label: string;
  /** The pipe the key log text comes through: the printer's, once started. */
  readonly output: Readable;
  /** Call once the printer holds `output`: closes this process's copy and lets the reader write. */
  go(): void;
}

const RUNTIME_FD = 4;
const SCRIPT_FD = 5;

/** The user's passwd entry (gid and home), by uid. */
function passwdEntry(uid: number): { name: string; gid: number; home: string } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name = '', , u, g, , home = '/'] = line.split(':');
    if (Number(u) === uid && /^\d+$/.test(g ?? '')) return { name, gid: Number(g), home };
  }
  throw new CaptureError('invalid-request', `--tls-keylog: uid ${uid} (who ran sudo) has no /etc/passwd entry to read the key log as`);
}

export function startKeyLogReader(
  spec: KeyLogSpec,
  docker: { endpoint?: string; context?: string },
  tools: { setpriv: string; runtime: string; script: string },
): Promise<LaunchedKeyLogReader> {
  const uid = invokingUser().uid;
  const user = passwdEntry(uid);
  const label = keyLogLabel(spec);
  const runtimeFd = openSync(tools.runtime, 'r');
  const scriptFd = openSync(tools.script, 'r');
  const argv = [
    `--reuid=${uid}`, `--regid=${user.gid}`, '--init-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--',
    `/proc/self/fd/${RUNTIME_FD}`, '--preserve-symlinks-main', `/proc/self/fd/${SCRIPT_FD}`, KEY_LOG_READER_ARGUMENT,
  ];
  // The user's Docker settings, as far as the root CLI was given them (sudo keeps DOCKER_HOST only if told to).
  const env: NodeJS.ProcessEnv = { ELECTRON_RUN_AS_NODE: '1', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: user.home, USER: user.name };
  for (const name of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  let child: ChildProcess;
  try {
    child = spawn(tools.setpriv, argv, { stdio: ['pipe', 'pipe', 'inherit', 'pipe', runtimeFd, scriptFd], shell: false, env, cwd: '/' });
  } finally {
    closeSync(runtimeFd);
    closeSync(scriptFd);
  }
  const stdin = child.stdin as Writable;
  stdin.on('error', () => undefined);
  const config: ReaderConfig = { spec, ...(docker.endpoint ? { docker: docker.endpoint } : {}), ...(docker.context ? { context: docker.context } : {}) };
  stdin.write(JSON.stringify(config) + '\n');
  const status = (child.stdio as unknown as (Readable | null)[])[READER_STATUS_FD] as Readable;
  const output = child.stdout as Readable;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let said = '';
    const failed = (why: string): void => reject(new CaptureError('invalid-request', why));
    child.on('error', (err) => failed(`the key log reader did not start: ${err.message}`));
    status.on('data', (b: Buffer) => (said += b.toString('latin1')));
    status.on('error', () => undefined);
    status.on('close', () => {
      if (said !== 'OK') {
        // The reader said why on stderr.
        void exited.then(() => failed(`cannot read the TLS key log ${label}`));
        return;
      }
      // The reader lives as long as this process holds its stdin; it must not keep this one alive.
      (child as ChildProcess & { unref(): void }).unref();
      resolve({
        label,
        output,
        go: () => {
          output.destroy();
          stdin.write('go\n');
        },
      });
    });
  });
}
