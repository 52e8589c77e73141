/**
 * The capture helper: the only code that runs as root, and only until the
 * interfaces are open.
 *
 *   root:   check the request file -> connect to the user's socket -> start tcpdump
 *   nobody: parse pcap -> stream frame batches back -> exit when told or when done
 *
 * It never imports `vscode` and never runs a shell. Started by the extension
 * through sudo-prompt/pkexec (or directly when VS Code already runs as root).
 */
import { createConnection, type Socket } from 'node:net';
import { FrameBatchWriter } from '../core/frameBatch';
import type { CapturedFrame } from '../core/packet';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import { CaptureSession } from './captureSession';
import { ChannelDecoder, encodeFrames, encodeJson } from '../protocol/channelCodec';
import { preparePipelines } from './preparePipelines';
import { dropPrivileges, nobodyIdentity } from './privileges';
import { readRequestFile, requesterUid } from './requestFile';
import { HelperExitCode, MessageKind, type ClientToHelper, type HelperToClient } from '../protocol/helperMessages';

const BATCH_INTERVAL_MS = 20;
const BATCH_MAX_BYTES = 256 * 1024;
/** Past this much unsent data, reading from tcpdump pauses (the kernel buffer absorbs the rest). */
const SOCKET_HIGH_WATER = 32 * 1024 * 1024;

function send(socket: Socket, message: HelperToClient): void {
  socket.write(encodeJson(message));
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('docker-network-capture helper: must be started as root\n');
    return 2;
  }
  const requestPath = process.argv[2];
  if (!requestPath) {
    process.stderr.write('usage: helper.js /path/to/request.json\n');
    return 2;
  }
  const owner = requesterUid();
  const file = readRequestFile(requestPath, owner);
  // Connect while still root: the socket's directory is private to the user,
  // and this connection keeps working after the drop.
  const socket = await connect(file.socketPath);
  socket.on('error', () => undefined);
  send(socket, { type: 'hello', token: file.token, pid: process.pid });
  const log = (level: 'info' | 'debug' | 'warn' | 'error', message: string): void => {
    if (level !== 'debug' || file.verbose) send(socket, { type: 'log', level, message });
  };

  let session: CaptureSession;
  try {
    const specs = preparePipelines(file.target, file.request, (m) => log('info', m));
    for (const s of specs) log('debug', `starting: ${s.argv.join(' ')}`);
    session = await CaptureSession.start(specs, file.request.limits);
  } catch (err) {
    const e = isCaptureError(err) ? err : new CaptureError('helper-failed', err instanceof Error ? err.message : String(err));
    send(socket, { type: 'ended', reason: 'failed to start', error: { code: e.code, message: e.message } });
    socket.end();
    return 1;
  }

  const nobody = nobodyIdentity();
  dropPrivileges(nobody);
  log('debug', `privileges dropped to ${nobody.label} (uid ${process.getuid?.()}, gid ${process.getgid?.()}) before reading any packet`);
  send(socket, {
    type: 'started',
    interfaces: session.specs.map((s) => s.interfaceName),
    commands: session.specs.map((s) => s.argv),
    tcpdumpPids: session.pids,
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
  });

  const writer = new FrameBatchWriter();
  let framesSent = 0;
  const flush = (): void => {
    if (writer.frameCount > 0) socket.write(encodeFrames(writer.take()));
  };
  const flushTimer = setInterval(flush, BATCH_INTERVAL_MS);

  const done = new Promise<number>((resolve) => {
    session.begin({
      frame(frame: CapturedFrame) {
        writer.add(frame);
        framesSent++;
        if (writer.byteLength >= BATCH_MAX_BYTES) {
          flush();
          if (socket.writableLength > SOCKET_HIGH_WATER) {
            session.pause();
            socket.once('drain', () => session.resume());
          }
        }
      },
      stats(kernelDrops) {
        send(socket, { type: 'stats', kernelDrops });
      },
      log,
      ended(reason, error) {
        clearInterval(flushTimer);
        flush();
        // What tcpdump saw against what was sent: a difference would be packets lost on the way.
        const counts = session.tcpdumpCounts;
        log('info', `tcpdump captured ${counts.captured} packets (kernel dropped ${counts.droppedByKernel}); ${framesSent} frames sent`);
        send(socket, { type: 'ended', reason, ...(error ? { error: { code: error.code, message: error.message } } : {}) });
        socket.end(() => resolve(error ? 1 : 0));
        // If the user's side is gone, end() never completes.
        setTimeout(() => resolve(error ? 1 : 0), 2000).unref();
      },
    });
  });

  const decoder = new ChannelDecoder();
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const m of decoder.push(chunk)) {
        if (m.kind === MessageKind.Json && (m.value as ClientToHelper).type === 'stop') void session.stop('stopped');
      }
    } catch {
      void session.stop('protocol error on the channel');
    }
  });
  // The user's process went away (VS Code closed or crashed): nobody is listening, stop.
  socket.on('close', () => void session.stop('client went away'));
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void session.stop('stopped'));
  return done;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`docker-network-capture helper: ${err instanceof Error ? err.message : String(err)}\n`);
    // Refusals happen before the channel is connected, so the exit code is the
    // only way to tell the user's side which kind it was (see captureClient).
    process.exit(
      !isCaptureError(err) ? HelperExitCode.failed
        : err.code === 'invalid-request' ? HelperExitCode.requestRefused
          : err.code === 'invalid-filter' ? HelperExitCode.filterRefused
            : HelperExitCode.failed,
    );
  },
);
