/**
 * The unprivileged side of a capture: starts the helper (directly when already
 * root, else elevated through sudo-prompt), receives its stream over a private
 * channel and reports events. No `vscode` here: the extension and the tests
 * both drive it.
 *
 * The channel is a Unix socket in a fresh 0700 directory of this user's. Its
 * path and a one-time token reach the helper in a 0600 file in that directory,
 * never on a command line (/proc/PID/cmdline is world-readable). Only a peer
 * that read the file can present the token, and only this user and root can
 * reach the directory at all.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelperRequestFile, HelperToClient } from '../protocol/helperMessages';
import { HelperExitCode, MessageKind, REQUEST_NAME, SOCKET_NAME } from '../protocol/helperMessages';
import { CaptureError, type CaptureErrorCode } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import { ChannelDecoder, encodeFrames, encodeJson, type ChannelMessage } from '../protocol/channelCodec';
import { launchDirect, launchElevated, type LaunchedHelper } from './helperLaunch';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { frameCount } from '../core/frameBatch';

export interface CaptureStartedInfo {
  /** Interfaces being captured, e.g. ["eth0", "eth1", "lo"] or ["docker0"]. */
  interfaces: string[];
  /** The tcpdump command lines, as run. */
  commands: string[][];
  /** PID of the helper (root until it dropped to nobody). */
  helperPid: number;
  tcpdumpPids: number[];
  /** Identity the helper runs as now (nobody). */
  uid: number;
  gid: number;
  /**
   * Takes the authenticated channel away from this process, for another one
   * to read (the root CLI hands it to its confined printing process). Only
   * inside `started`; afterwards this handle reports nothing more, and the
   * caller owns the socket. `unread`: the bytes already received but not yet
   * handled (the rest of the chunk that carried `started`), to be read first.
   */
  takeChannel?(): HandedOverChannel;
}

export interface HandedOverChannel {
  socket: Socket;
  unread: Buffer;
}

export interface CaptureStats {
  /** Packets the kernel dropped (tcpdump's "dropped by kernel"), summed over interfaces. */
  kernelDrops: number;
}

export interface CaptureEndInfo {
  /** Why it ended, in words: "stopped", "container stopped", "packet limit reached"... */
  reason: string;
  /** Set when it ended because something failed. */
  error?: CaptureError;
}

export interface CaptureEvents {
  started(info: CaptureStartedInfo): void;
  /** A batch in core/frameBatch encoding; `frameCount` frames. */
  frames(batch: Uint8Array, frameCount: number): void;
  stats(stats: CaptureStats): void;
  log(level: 'info' | 'debug' | 'warn' | 'error', message: string): void;
  /**
   * A capture of several containers: `container`'s pipelines ended, the others
   * go on. Without this listener it is logged.
   */
  left?(container: string, info: CaptureEndInfo): void;
  ended(info: CaptureEndInfo): void;
}

export type ElevationMethod = 'direct' | 'sudo-prompt';

export interface CaptureClientOptions {
  /** Absolute path of dist/helper.js. */
  helperScript: string;
  /** Executable that runs the helper as Node: process.execPath (Electron in VS Code desktop). */
  nodeExecutable: string;
  /** 'direct' when this process is root, else 'sudo-prompt'. */
  elevation: ElevationMethod;
  verbose: boolean;
  /** How long to wait for the password prompt and the helper's first word. */
  connectTimeoutMs?: number;
  /**
   * Where the private channel directory is made (default: the temp dir). The
   * root CLI passes a directory of its own, to remove it before dropping root.
   */
  channelParentDirectory?: string;
}

/** How a capture stops. */
export interface CaptureStopOptions {
  /**
   * The consumer's pause stays in force while the helpers end: what they still send
   * (a block-writing tcpdump's backlog: up to its whole kernel ring) is read as the
   * consumer takes it instead of at once. Without it, a stop reads everything at once,
   * so that a consumer that no longer resumes (a closed tab) cannot hold the stop.
   * Helper containers only.
   */
  honourPause?: boolean;
}

export interface CaptureHandle {
  /** Asks the helper to stop; resolves once it has ended and cleaned up. */
  stop(options?: CaptureStopOptions): Promise<void>;
  /** Resolves when the capture has ended, whatever the reason. */
  readonly finished: Promise<CaptureEndInfo>;
  /** The private directory holding the socket (gone once finished). */
  readonly channelDirectory: string;
  /**
   * Flow control: stops reading the channel until `resume()`. The helper's
   * writes then back up, it stops reading tcpdump (its write buffer is over a
   * bound), tcpdump blocks and the kernel drops packets, counted in `stats`.
   */
  pause(): void;
  resume(): void;
}

const KNOWN_CODES = new Set<CaptureErrorCode>([
  'no-such-container', 'container-not-running', 'no-network-namespace', 'docker-unreachable', 'tcpdump-missing',
  'not-root', 'cancelled', 'authorization-refused', 'elevation-failed', 'invalid-request', 'invalid-filter', 'helper-failed',
]);

/**
 * The most an unauthenticated peer may make this process hold: its first
 * message must be the helper's `hello` (about 130 bytes), declared no longer
 * than this. Anyone who reached the socket is refused before more is buffered.
 */
export const MAX_HELLO_BYTES = 1024;

/** Constant-time token check: how long a refusal takes says nothing about how much of the token was right. */
export function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function toCaptureError(e: { code: string; message: string }): CaptureError {
  const code = KNOWN_CODES.has(e.code as CaptureErrorCode) ? (e.code as CaptureErrorCode) : 'helper-failed';
  return new CaptureError(code, e.message);
}

/**
 * Resolves once the helper reports `started`; rejects with a CaptureError otherwise.
 * A list of targets: one helper captures them all, their frames labelled
 * `container/interface` (protocol/containerInterfaceLabel.ts), even a list of one.
 */
export async function startCapture(
  target: ResolvedContainer | readonly ResolvedContainer[],
  request: CaptureRequest,
  options: CaptureClientOptions,
  events: CaptureEvents,
): Promise<CaptureHandle> {
  const targets: readonly ResolvedContainer[] = Array.isArray(target) ? target : [target as ResolvedContainer];
  const first = targets[0];
  if (!first) throw new CaptureError('invalid-request', 'no container to capture');
  const dir = mkdtempSync(join(options.channelParentDirectory ?? tmpdir(), 'dnc-'));
  chmodSync(dir, 0o700);
  const socketPath = join(dir, SOCKET_NAME);
  const requestPath = join(dir, REQUEST_NAME);
  const token = randomBytes(32).toString('hex');
  const server = createServer();
  const cleanup = (): void => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o600);
    const file: HelperRequestFile = { version: 1, token, socketPath, target: first, ...(Array.isArray(target) ? { targets: [...targets] } : {}), request, verbose: options.verbose };
    writeFileSync(requestPath, JSON.stringify(file), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    cleanup();
    throw new CaptureError('helper-failed', `cannot set up the capture channel: ${(err as Error).message}`);
  }

  let launched: LaunchedHelper;
  try {
    launched =
      options.elevation === 'direct'
        ? launchDirect(options.nodeExecutable, options.helperScript, requestPath)
        : launchElevated(options.nodeExecutable, options.helperScript, requestPath);
  } catch (err) {
    cleanup();
    throw err;
  }
  return new ClientConnection(server, launched, token, dir, cleanup, events, options.connectTimeoutMs ?? 180_000).ready;
}

class ClientConnection implements CaptureHandle {
  readonly ready: Promise<CaptureHandle>;
  readonly finished: Promise<CaptureEndInfo>;
  private socket?: Socket;
  private helperPid = 0;
  private started = false;
  /** Set once takeChannel() gave the socket away: nothing more is read or reported here. */
  private handedOver = false;
  private handOver?: () => HandedOverChannel;
  private endInfo?: CaptureEndInfo;
  private resolveFinished!: (info: CaptureEndInfo) => void;
  private settleReady!: { resolve: (h: CaptureHandle) => void; reject: (e: CaptureError) => void };

  constructor(
    private readonly server: Server,
    launched: LaunchedHelper,
    private readonly token: string,
    readonly channelDirectory: string,
    private readonly cleanup: () => void,
    private readonly events: CaptureEvents,
    connectTimeoutMs: number,
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }));
    // Callers may only await `ready`; an unobserved rejection must not crash the host.
    this.ready.catch(() => undefined);
    const timeout = setTimeout(() => {
      if (!this.socket) this.end({ reason: 'the helper did not start', error: new CaptureError('elevation-failed', 'the capture helper did not connect in time') });
    }, connectTimeoutMs);
    server.on('connection', (socket) => this.onConnection(socket));
    launched.exited.then(
      ({ code, stderr }) => {
        clearTimeout(timeout);
        if (this.endInfo) return;
        // The helper exited; if its `ended` message is still in flight, give it a moment.
        setTimeout(() => {
          if (this.endInfo) return;
          const detail = stderr.trim().split('\n').pop() || `exit code ${String(code)}`;
          const kind = code === HelperExitCode.requestRefused ? 'invalid-request' : code === HelperExitCode.filterRefused ? 'invalid-filter' : 'helper-failed';
          this.end({ reason: 'the helper exited', error: new CaptureError(kind, `capture helper failed: ${detail}`) });
        }, this.socket ? 500 : 0);
      },
      (err: unknown) => {
        clearTimeout(timeout);
        const e = err instanceof CaptureError ? err : new CaptureError('elevation-failed', String(err));
        this.end({ reason: e.code === 'cancelled' ? 'cancelled' : e.code === 'authorization-refused' ? 'authorization refused' : 'elevation failed', error: e });
      },
    );
  }

  private onConnection(socket: Socket): void {
    if (this.socket) {
      // One helper per capture; anyone else is turned away.
      socket.destroy();
      return;
    }
    const decoder = new ChannelDecoder();
    let authenticated = false;
    let firstHeader = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      // Once the capture has ended (the helper's process exited, say, while its
      // packet reader still had frames in flight), nothing more is reported.
      if (this.endInfo) return;
      if (!authenticated && firstHeader.length < 4) {
        // Until the token is shown, a peer gets no more than MAX_HELLO_BYTES of
        // this process's memory: a first message declared longer is refused
        // as soon as its length is in, and the first complete message settles it.
        firstHeader = Buffer.concat([firstHeader, chunk.subarray(0, 4 - firstHeader.length)]);
        if (firstHeader.length === 4 && firstHeader.readUInt32LE(0) > MAX_HELLO_BYTES + 1) {
          socket.destroy();
          return;
        }
      }
      let messages;
      try {
        messages = decoder.push(chunk);
      } catch (err) {
        socket.destroy();
        // Garbage from someone who never showed the token is their problem, not the capture's.
        if (!authenticated) return;
        this.end({ reason: 'protocol error', error: new CaptureError('helper-failed', `bad data from the helper: ${(err as Error).message}`) });
        return;
      }
      for (const [k, m] of messages.entries()) {
        if (this.handedOver) return;
        if (!authenticated) {
          const hello = m.kind === MessageKind.Json ? (m.value as HelperToClient) : undefined;
          if (hello?.type !== 'hello' || !tokenMatches(hello.token, this.token)) {
            socket.destroy();
            return;
          }
          authenticated = true;
          this.socket = socket;
          this.helperPid = hello.pid;
          continue;
        }
        // A listener that throws must not stop the channel: the messages after
        // it (the `ended` above all) still have to be handled.
        this.handOver = () => this.giveAway(socket, decoder, messages.slice(k + 1));
        try {
          if (m.kind === MessageKind.Frames) this.events.frames(m.batch, frameCount(m.batch));
          else this.onControl(m.value as HelperToClient);
        } catch (err) {
          this.reportListenerError(err);
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (socket === this.socket && !this.endInfo) {
        this.end({ reason: 'the helper went away', error: new CaptureError('helper-failed', 'the capture helper exited without saying why') });
      }
    });
  }

  private giveAway(socket: Socket, decoder: ChannelDecoder, rest: ChannelMessage[]): HandedOverChannel {
    this.handedOver = true;
    socket.pause();
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    // Messages already decoded go back to bytes, before whatever the decoder held, in order.
    const parts = rest.map((m) => (m.kind === MessageKind.Frames ? encodeFrames(m.batch) : encodeJson(m.value)));
    parts.push(decoder.takeBuffered());
    // Anything the stream itself buffered (nothing while it flows, but never lose a byte).
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) parts.push(chunk);
    this.socket = undefined;
    this.endInfo = { reason: 'handed over' };
    this.cleanup();
    return { socket, unread: Buffer.concat(parts) };
  }

  private reportListenerError(err: unknown): void {
    try {
      this.events.log('error', `a capture event listener failed: ${err instanceof Error ? err.message : String(err)}`);
    } catch {
      // the log listener itself failed; nothing more to tell
    }
  }

  private onControl(message: HelperToClient): void {
    switch (message.type) {
      case 'hello':
        return;
      case 'started':
        this.started = true;
        this.events.started({
          interfaces: message.interfaces,
          commands: message.commands,
          helperPid: this.helperPid,
          tcpdumpPids: message.tcpdumpPids,
          uid: message.uid,
          gid: message.gid,
          takeChannel: () => {
            if (!this.handOver || this.handedOver || this.endInfo) throw new Error('the capture channel can only be taken once, inside started');
            return this.handOver();
          },
        });
        this.handOver = undefined;
        this.settleReady.resolve(this);
        return;
      case 'stats':
        this.events.stats({ kernelDrops: message.kernelDrops });
        return;
      case 'log':
        this.events.log(message.level, message.message);
        return;
      case 'left':
        if (this.events.left) this.events.left(message.container, { reason: message.reason, ...(message.error ? { error: toCaptureError(message.error) } : {}) });
        else this.events.log(message.error ? 'warn' : 'info', `${message.container} left the capture: ${message.error?.message ?? message.reason}`);
        return;
      case 'ended':
        this.end({ reason: message.reason, ...(message.error ? { error: toCaptureError(message.error) } : {}) });
        return;
    }
  }

  private end(info: CaptureEndInfo): void {
    if (this.endInfo) return;
    this.endInfo = info;
    // destroy, not end: a packet reader that outlived its root helper must see the
    // channel close and stop its tcpdumps, not keep writing into a half-closed socket.
    this.socket?.destroy();
    this.cleanup();
    if (this.started) this.events.ended(info);
    else this.settleReady.reject(info.error ?? new CaptureError('helper-failed', info.reason));
    this.resolveFinished(info);
  }

  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  async stop(): Promise<void> {
    if (this.endInfo) return;
    // The helper's last frames and its `ended` must be read to finish cleanly.
    this.resume();
    this.socket?.write(encodeJson({ type: 'stop' }));
    const timer = setTimeout(() => {
      this.socket?.destroy();
      this.end({ reason: 'stopped' });
    }, 5000);
    await this.finished;
    clearTimeout(timer);
  }
}
