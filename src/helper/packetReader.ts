/**
 * The packet reader: the only process that parses packet bytes. The root
 * helper starts it through setpriv as nobody, with no groups, no_new_privs and
 * empty capability sets (bounding included), hands it tcpdump's pipes and the
 * connected channel as descriptors (readerConfig.ts), and writes its
 * configuration to stdin only after dropping its own privileges.
 *
 * It refuses to read a packet unless /proc/self/status confirms all of that:
 * a bug in the pcap reader or a decoder that hostile traffic exploits lands in
 * a process that cannot regain anything, not even through a setuid binary.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { FrameBatchWriter } from '../core/frameBatch';
import { FlushPacer } from '../core/flushPacer';
import type { CapturedFrame } from '../core/packet';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import { ChannelDecoder, encodeFramesParts, encodeJson } from '../protocol/channelCodec';
import { MessageKind, type ClientToHelper, type HelperToClient } from '../protocol/helperMessages';
import { CaptureSession } from './captureSession';
import { confinementProblem, readConfigPipe } from './confinement';
import { FdPacketSource } from './fdPacketSource';
import { parseReaderConfig, ReaderFd, type ReaderConfig } from './readerConfig';

/** Frames leave at once unless a batch left less than a gap ago (FlushPacer): 5 ms after a few frames, 20 ms (the old fixed interval) after many. */
const BATCH_GAPS = { lightGapMs: 5, loadedGapMs: 20, lightFrames: 16 };
const BATCH_MAX_BYTES = 256 * 1024;
/** Past this much unsent data, reading from tcpdump pauses (the kernel buffer absorbs the rest). */
const SOCKET_HIGH_WATER = 32 * 1024 * 1024;

export async function runPacketReader(): Promise<number> {
  process.title = 'dnc-pkt-reader'; // comm keeps 15 characters
  const problem = confinementProblem(readFileSync('/proc/self/status', 'utf8'));
  if (problem) {
    process.stderr.write(`docker-network-capture packet reader: refusing to read packets: this process ${problem}\n`);
    return 1;
  }
  const config: ReaderConfig = parseReaderConfig(await readConfigPipe(ReaderFd.config));
  const socket = new Socket({ fd: ReaderFd.channel, readable: true, writable: true });
  socket.on('error', () => undefined);
  const send = (message: HelperToClient): void => void socket.write(encodeJson(message));
  const log = (level: 'info' | 'debug' | 'warn' | 'error', message: string): void => {
    if (level !== 'debug' || config.verbose) send({ type: 'log', level, message });
  };

  const sources = config.sources.map(
    (s, k) => new FdPacketSource(s.spec, s.pid, ReaderFd.firstSource + 2 * k, ReaderFd.firstSource + 2 * k + 1, Buffer.from(s.prefix, 'base64')),
  );
  let session: CaptureSession;
  try {
    session = await CaptureSession.fromSources(sources, config.limits);
  } catch (err) {
    const e = isCaptureError(err) ? err : new CaptureError('helper-failed', err instanceof Error ? err.message : String(err));
    send({ type: 'ended', reason: 'failed to start', error: { code: e.code, message: e.message } });
    socket.end();
    return 1;
  }
  log(
    'debug',
    `privileges dropped to ${config.identity} (uid ${process.getuid?.()}, gid ${process.getgid?.()}) before reading any packet: packets are read by process ${process.pid}, with no groups, no_new_privs and no capabilities`,
  );
  send({
    type: 'started',
    interfaces: session.specs.map((s) => s.interfaceName),
    commands: session.specs.map((s) => s.argv),
    tcpdumpPids: session.pids,
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
  });

  // Every byte a batch hands out is written by the writer first: its buffers need no zero fill.
  const writer = new FrameBatchWriter(64 * 1024, (bytes) => Buffer.allocUnsafeSlow(bytes));
  let framesSent = 0;
  const flush = (): number => {
    const n = writer.frameCount;
    if (n === 0) return 0;
    // Header and batch leave in one writev: the batch is not copied behind its header.
    const [header, batch] = encodeFramesParts(writer.take());
    socket.cork();
    socket.write(header);
    socket.write(batch);
    socket.uncork();
    return n;
  };
  const pacer = new FlushPacer(flush, BATCH_GAPS);

  const done = new Promise<number>((resolve) => {
    session.begin({
      frame(frame: CapturedFrame) {
        writer.add(frame);
        framesSent++;
        pacer.poke();
        if (writer.byteLength >= BATCH_MAX_BYTES) {
          pacer.flushed(flush());
          if (socket.writableLength > SOCKET_HIGH_WATER) {
            session.pause();
            socket.once('drain', () => session.resume());
          }
        }
      },
      stats(kernelDrops) {
        send({ type: 'stats', kernelDrops });
      },
      log,
      left(container, reason, error) {
        flush(); // its last frames go before the news that it left
        send({ type: 'left', container, reason, ...(error ? { error: { code: error.code, message: error.message } } : {}) });
      },
      ended(reason, error) {
        pacer.dispose();
        flush();
        // What tcpdump saw against what was sent: a difference would be packets lost on the way.
        const counts = session.tcpdumpCounts;
        log('info', `tcpdump captured ${counts.captured} packets (kernel dropped ${counts.droppedByKernel}); ${framesSent} frames sent`);
        send({ type: 'ended', reason, ...(error ? { error: { code: error.code, message: error.message } } : {}) });
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
