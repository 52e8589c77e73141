/**
 * The root half of the capture helper:
 *
 *   root: check the request file -> connect to the user's socket -> pin the
 *         container's namespace (each container's, for a list: prepareTargets.ts)
 *         -> start tcpdump (no_new_privs, minimal
 *         bounding set, -Z nobody) -> start the packet reader (packetReader.ts)
 *         with the pipes and the channel -> drop to nobody
 *   then: relay the reader's exit, and stop tcpdump if the reader died
 *
 * This process never reads a packet byte.
 */
import { createConnection, type Socket } from 'node:net';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import { encodeJson } from '../protocol/channelCodec';
import type { HelperToClient } from '../protocol/helperMessages';
import { CaptureSession } from './captureSession';
import { findCaptureTools } from './captureTools';
import { startPacketReader, type LaunchedReader } from './packetReaderLaunch';
import { releaseNamespaces } from './preparePipelines';
import { prepareTargets } from './prepareTargets';
import { dropPrivileges, nobodyIdentity } from './privileges';
import { readRequestFile, requesterUid } from './requestFile';
import { TcpdumpProcess } from './tcpdumpProcess';

function send(socket: Socket, message: HelperToClient): void {
  socket.write(encodeJson(message));
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    // Never read here: whatever the user's side sends is for the packet reader,
    // which inherits this socket. Paused before connecting, Node starts no read.
    socket.pause();
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function flushed(socket: Socket): Promise<void> {
  return socket.writableLength === 0 ? Promise.resolve() : new Promise((r) => socket.once('drain', () => r()));
}

export async function runRootHelper(requestPath: string | undefined): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('docker-network-capture helper: must be started as root\n');
    return 2;
  }
  if (!requestPath) {
    process.stderr.write('usage: helper.js /path/to/request.json\n');
    return 2;
  }
  const owner = requesterUid();
  const opened = readRequestFile(requestPath, owner);
  const file = opened.file;
  // Connect while still root, through the checked directory's descriptor: the
  // directory is private to the user, and this connection keeps working after the drop.
  let socket: Socket;
  try {
    socket = await connect(opened.socketViaDescriptor);
  } finally {
    opened.close();
  }
  socket.on('error', () => undefined);
  send(socket, { type: 'hello', token: file.token, pid: process.pid });
  const log = (level: 'info' | 'debug', message: string): void => {
    if (level !== 'debug' || file.verbose) send(socket, { type: 'log', level, message });
  };

  let processes: TcpdumpProcess[] = [];
  let reader: LaunchedReader;
  const nobody = nobodyIdentity();
  try {
    const tools = findCaptureTools();
    const specs = prepareTargets(file.target, file.targets, file.request, (m) => log('info', m));
    for (const s of specs) log('debug', `starting: ${s.argv.join(' ')}`);
    try {
      processes = specs.map((s) => new TcpdumpProcess(s));
      await CaptureSession.fromSources(processes, file.request.limits);
    } finally {
      releaseNamespaces(specs);
    }
    await flushed(socket);
    const script = process.argv[1];
    if (!script) throw new CaptureError('helper-failed', 'cannot tell where the helper script is');
    reader = startPacketReader(processes, socket, tools.setpriv, nobody, { verbose: file.verbose, limits: file.request.limits ?? {}, runtime: process.execPath, script });
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop(500)));
    const e = isCaptureError(err) ? err : new CaptureError('helper-failed', err instanceof Error ? err.message : String(err));
    if (!socket.destroyed) {
      send(socket, { type: 'ended', reason: 'failed to start', error: { code: e.code, message: e.message } });
      socket.end();
    }
    return 1;
  }

  dropPrivileges(nobody);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => reader.signal(sig));
  reader.sendConfig();
  const result = await reader.exited;
  // The reader stops tcpdump when it ends normally; if it died, nobody else will.
  await Promise.all(processes.map((p) => p.stop(1000)));
  if (result.code === 0) return 0;
  // The reader's own `ended` message (if it sent one) has told the user why; its stderr says the rest.
  const detail = result.stderr.trim().split('\n').pop() || (result.signal ? `killed by ${result.signal}` : `exit code ${String(result.code)}`);
  process.stderr.write(`docker-network-capture helper: the packet reader failed: ${detail}\n`);
  return 1;
}
