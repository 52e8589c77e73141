/**
 * `ssh://` engines, reached the way the docker CLI reaches them: the system's ssh runs
 * `docker system dial-stdio` on the remote host and HTTP flows over the child's
 * stdin/stdout. So the user's keys, agent, ~/.ssh/config aliases and known_hosts all
 * apply, and the host key is always verified (dockerode's built-in ssh2 transport does
 * not check known_hosts: not used).
 *
 * Security: ssh comes from a system folder only (not from PATH), runs from an argv
 * array (never a shell), and the host and user are checked so neither can be read as
 * an ssh option. BatchMode makes a missing key or an unknown host key fail at once with
 * a message we translate, instead of waiting on a prompt nobody sees.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { Duplex } from 'node:stream';

export interface SshTarget {
  host: string;
  port?: number;
  username?: string;
}

/** Where ssh may come from: system folders, never PATH (a writable PATH entry would run anything). */
export const SSH_CANDIDATES = ['/usr/bin/ssh', '/bin/ssh'] as const;

/** ssh children at most at once for one engine (SshDialAgent). */
const MAX_SSH_CONNECTIONS = 64;

/** A transport failure whose message already says what happened and what to do. */
export class SshTransportError extends Error {
  override readonly name = 'SshTransportError';
}

export function findSsh(exists: (p: string) => boolean = fs.existsSync): string {
  const found = SSH_CANDIDATES.find((p) => exists(p));
  if (!found) throw new SshTransportError(`no ssh client in ${SSH_CANDIDATES.join(' or ')}: install OpenSSH's client (Debian/Ubuntu: openssh-client)`);
  return found;
}

/** The argv after `ssh`, as the docker CLI builds it, plus the options that keep it non-interactive and verified. */
export function sshArguments(target: SshTarget): string[] {
  if (!target.host || target.host.startsWith('-') || /[\s\0]/.test(target.host)) throw new SshTransportError(`not a valid ssh host: ${JSON.stringify(target.host.slice(0, 80))}`);
  if (target.username !== undefined && (!target.username || target.username.startsWith('-') || /[\s\0]/.test(target.username))) {
    throw new SshTransportError(`not a valid ssh user: ${JSON.stringify(target.username.slice(0, 80))}`);
  }
  if (target.port !== undefined && !(Number.isInteger(target.port) && target.port > 0 && target.port < 65536)) throw new SshTransportError(`not a valid ssh port: ${target.port}`);
  return [
    '-o', 'ConnectTimeout=30',
    // Command-line options win over ~/.ssh/config: no prompts, no unverified host keys,
    // and neither the agent nor X11 forwarded to the engine's host.
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-a', '-x', '-T',
    ...(target.username ? ['-l', target.username] : []),
    ...(target.port ? ['-p', String(target.port)] : []),
    '--', target.host,
    'docker', 'system', 'dial-stdio',
  ];
}

/** Turns ssh's stderr into one line saying what to do. */
export function explainSshFailure(stderr: string, target: SshTarget, exitCode: number | null, signal?: NodeJS.Signals | null): string {
  const where = `${target.username ? `${target.username}@` : ''}${target.host}${target.port ? ` port ${target.port}` : ''}`;
  const port = target.port ? `-p ${target.port} ` : '';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
    return `the host key of ${target.host} CHANGED since it was added to known_hosts: check with its administrator, then remove the old key with \`ssh-keygen -R ${target.host}\``;
  }
  if (/Host key verification failed|No .* host key is known|host key is not known/i.test(stderr)) {
    return `the host key of ${target.host} is not in your known_hosts: check its fingerprint and add it once, e.g. \`ssh-keyscan ${port}${target.host} >> ~/.ssh/known_hosts\` or \`ssh ${port}${target.username ? `${target.username}@` : ''}${target.host}\``;
  }
  // The login worked, but the remote user may not use that host's Docker socket.
  if (/permission denied while trying to connect to the Docker daemon|connect: permission denied/i.test(stderr)) {
    return `${where} let you in, but that user may not use Docker there (add it to the docker group on that host)`;
  }
  if (/Permission denied \(|Permission denied, please try again/i.test(stderr)) {
    return `ssh refused the login as ${where} (no key accepted; ssh runs without prompts: load the key into ssh-agent or name it with IdentityFile in ~/.ssh/config)`;
  }
  if (/Could not resolve hostname/i.test(stderr)) return `ssh cannot resolve ${target.host}: check the name or its Host entry in ~/.ssh/config`;
  if (/Connection refused/i.test(stderr)) return `connection to ${where} refused: is sshd running there?`;
  if (/timed out/i.test(stderr)) return `ssh to ${where} timed out`;
  if (/docker: (command )?not found|docker: No such file/i.test(stderr)) return `${where} has no docker command (the engine is reached through \`docker system dial-stdio\` there)`;
  if (/closed by remote host|Broken pipe|Connection reset|connection closed/i.test(stderr)) return `the ssh connection to ${where} was cut (${lastLine(stderr)})`;
  const line = lastLine(stderr);
  if (line) return `ssh to ${where} failed: ${line}`;
  return exitCode === null && signal ? `the ssh process to ${where} was killed (${signal})` : `ssh to ${where} ended (exit ${exitCode ?? 'signal'})`;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

/**
 * An http.Agent whose connections are ssh children. Keep-alive reuses an idle child for
 * the next request (one ssh handshake per connection, not per request); idle ones are
 * closed after a while, and all of them on destroy().
 *
 * Each long-lived stream holds one connection for as long as it runs: a helper
 * container's attach and its wait, the target's event watch. A request past
 * `maxSockets` waits for one to end, so the limit must be above what a capture holds:
 * 8 was reached by one container's capture with a standby per interface (9 streams),
 * and a capture of several containers holds two per interface of each.
 */
export class SshDialAgent extends http.Agent {
  private readonly sshPath: string;
  private readonly args: string[];

  constructor(private readonly target: SshTarget) {
    super({ keepAlive: true, maxSockets: MAX_SSH_CONNECTIONS, maxFreeSockets: 2, timeout: 30_000 });
    this.args = sshArguments(target);
    this.sshPath = findSsh();
  }

  override createConnection(): Duplex {
    const child = spawn(this.sshPath, this.args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, env: process.env });
    return new SshChildSocket(child, this.target);
  }
}

/** A Duplex over one ssh child's stdio, with the few net.Socket methods Node's http client calls. */
export class SshChildSocket extends Duplex {
  /** Set when the child failed: what broke, for whoever reads the stream that died. */
  failure: SshTransportError | undefined;
  timeout = 0;
  private stderr = '';
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private exited = false;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly target: SshTarget,
  ) {
    super();
    child.stdout.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) child.stdout.pause();
    });
    // The end of the stream is decided on 'close', once ssh's exit status says whether it broke.
    child.stderr.on('data', (chunk: Buffer) => {
      // Only the tail matters for the message; bounded.
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.stdin.on('error', () => undefined); // EPIPE after ssh exits: reported through 'close'
    child.on('error', (e) => this.fail(new SshTransportError(`cannot run ${child.spawnfile}: ${e.message}`)));
    child.on('close', (code, signal) => {
      this.exited = true;
      if (code === 0 || this.destroyed) {
        this.push(null);
        return;
      }
      this.fail(new SshTransportError(explainSshFailure(this.stderr, this.target, code, signal)));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    if (this.exited) {
      callback(this.failure ?? new SshTransportError('the ssh connection is closed'));
      return;
    }
    this.child.stdin.write(chunk, (e) => {
      if (!e) return callback(null);
      // EPIPE: ssh exited (refused, cut) before it read the request. Its exit status and
      // stderr say why; a bare "write EPIPE" would not, so the answer waits for them.
      if (this.exited) callback(this.failure ?? e);
      else this.child.once('close', () => callback(this.failure ?? e));
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdle();
    if (!this.exited) this.child.kill('SIGTERM');
    callback(error);
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeout = ms;
    // As net.Socket does: Node's http client adds its listener with each request on a
    // kept-alive connection and takes it back with setTimeout(0, listener); without the
    // removal, listeners pile up and Node warns of a leak on the user's stderr.
    if (onTimeout && ms === 0) this.removeListener('timeout', onTimeout);
    else if (onTimeout) this.once('timeout', onTimeout);
    this.touch();
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  /** An idle keep-alive connection must not keep the CLI's process alive. */
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    return this;
  }

  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void }).ref?.();
    return this;
  }

  private fail(error: SshTransportError): void {
    if (this.failure) return;
    this.failure = error;
    this.destroy(error);
  }

  private touch(): void {
    this.clearIdle();
    if (this.timeout > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.timeout);
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** The transport failure behind a response's socket, if it ran over ssh and broke. */
export function sshFailureOf(socket: unknown): SshTransportError | undefined {
  return socket instanceof SshChildSocket ? socket.failure : undefined;
}
