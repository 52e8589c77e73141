/**
 * The CLI's printing process: the only process of the CLI that decodes packet
 * bytes. The root CLI starts it through setpriv (printerLaunch.ts) as nobody
 * with no groups, no_new_privs and empty capability sets, hands it the
 * connected channel, the -w file, stdout and stderr, and writes its
 * configuration to stdin only after dropping its own privileges.
 *
 * It refuses to read anything unless /proc/self/status confirms all of that,
 * as the helper's packet reader does: a decoder bug that hostile traffic
 * exploits lands in a process that cannot regain anything.
 */
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { forEachFrame } from '../core/frameBatch';
import { confinementProblem, readConfigPipe } from '../helper/confinement';
import { ChannelDecoder, encodeJson } from '../protocol/channelCodec';
import { MessageKind, type HelperToClient } from '../protocol/helperMessages';
import { cliReporter, droppedPacketsLine, PROGRAM } from './cliOutput';
import { HostTimelineOutput } from './hostTimelineOutput';
import { PacketPrinter } from './packetPrinter';
import { captureFileSink } from './captureFileSinks';
import { stdoutOutput } from './printerOutput';
import { parsePrinterConfig, PrinterFd } from './printerConfig';
import { followKeyLogPipe } from './printerKeyLog';

interface EndInfo {
  reason: string;
  error?: string;
}

export async function runCapturePrinter(): Promise<number> {
  process.title = 'dnc-cli-printer'; // comm keeps 15 characters
  // Signals first: until the capture runs, a stop is remembered; then the root CLI may relay them.
  let onStop = (): void => void (stopWanted = true);
  let stopWanted = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => onStop());
  writeSync(PrinterFd.ready, 'R');
  closeSync(PrinterFd.ready);
  const problem = confinementProblem(readFileSync('/proc/self/status', 'utf8'));
  if (problem) {
    process.stderr.write(`${PROGRAM}: error: refusing to print packets: this process ${problem}\n`);
    return 1;
  }
  const config = parsePrinterConfig(await readConfigPipe(PrinterFd.config));
  const report = cliReporter(config.verbose);
  const socket = new Socket({ fd: PrinterFd.channel, readable: true, writable: true });
  socket.on('error', () => undefined);
  // The root CLI wrote the file's pcap header when it opened it.
  const pcapSink = config.captureFile ? captureFileSink(config.captureFormat ?? 'pcap', PrinterFd.captureFile, config.snapLength, (m) => report.warn(m), false) : undefined;
  const container = config.container;

  let endInfo: EndInfo | undefined;
  let resolveFinished!: (info: EndInfo) => void;
  const finished = new Promise<EndInfo>((r) => (resolveFinished = r));
  const end = (info: EndInfo): void => {
    if (endInfo) return;
    endInfo = info;
    socket.end();
    resolveFinished(info);
  };
  let stopping = false;
  const stop = (): void => {
    if (endInfo || stopping) return;
    stopping = true;
    socket.write(encodeJson({ type: 'stop' }));
    setTimeout(() => {
      socket.destroy();
      end({ reason: 'stopped' });
    }, 5000).unref();
  };
  // With --tls-keylog, the key log as it is now is read before the first packet.
  const keyLog = config.tlsKeyLog === undefined ? undefined : await followKeyLogPipe(PrinterFd.tlsKeyLog, config.tlsKeyLog, (m) => report.warn(m));
  const output = stdoutOutput(stop);
  // Several containers (multiHostCapture.ts): one merged, de-duplicated timeline instead of the one-container printer.
  const timeline = config.timeline ? new HostTimelineOutput(config.format, output, config.timeline, stop) : undefined;
  const printer = timeline ? undefined : new PacketPrinter(config.format, output, keyLog?.printing);
  let containerFailed = false;
  let kernelDrops = 0;
  // A reader slower than the capture (`| sleep 60`): stop reading the channel until stdout
  // drains. The helper's writes back up, it stops reading tcpdump, and the kernel counts drops.
  let paused = false;
  const reader = timeline ?? output;
  const waitForReader = (): void => {
    if (paused || !reader.full) return;
    paused = true;
    socket.pause();
    void reader.drained().then(() => {
      paused = false;
      socket.resume();
    });
  };

  const decoder = new ChannelDecoder();
  const onControl = (message: HelperToClient): void => {
    switch (message.type) {
      case 'stats':
        kernelDrops = message.kernelDrops;
        if (message.kernelDrops > 0) report.verbose(`kernel dropped ${message.kernelDrops} packets so far`);
        return;
      case 'log':
        // The helper's info lines are what --verbose tells; its warnings and errors always show.
        if (message.level === 'warn' || message.level === 'error') report.line(`${message.level}: ${message.message}`);
        else report.verbose(`helper: ${message.message}`);
        return;
      case 'left':
        // One of several containers: the others go on.
        timeline?.left(message.container);
        report.line(`${message.container} left the capture: ${message.reason}`);
        if (message.error) {
          report.line(`${message.container}: error: ${message.error.message}`);
          containerFailed = true;
        }
        return;
      case 'ended':
        end({ reason: message.reason, ...(message.error ? { error: message.error.message } : {}) });
        return;
      default:
        return; // hello and started were the root CLI's
    }
  };
  const onData = (chunk: Buffer): void => {
    if (endInfo) return;
    let messages;
    try {
      messages = decoder.push(chunk);
    } catch (err) {
      socket.destroy();
      end({ reason: 'protocol error', error: `bad data from the helper: ${(err as Error).message}` });
      return;
    }
    for (const m of messages) {
      if (endInfo) return;
      if (m.kind === MessageKind.Frames) {
        forEachFrame(m.batch, (frame) => {
          if (timeline) {
            const labelled = timeline.add(frame);
            pcapSink?.add(labelled);
            return;
          }
          pcapSink?.add(container === undefined ? frame : Object.assign(frame, { container }));
          printer?.add(frame);
        });
      } else onControl(m.value as HelperToClient);
    }
    waitForReader();
  };
  const unread = Buffer.from(config.unread, 'base64');
  if (unread.length > 0) onData(unread);
  socket.on('data', onData);
  socket.on('close', () => end({ reason: 'the helper went away', error: 'the capture helper exited without saying why' }));
  onStop = stop;
  if (stopWanted) stop();

  const result = await finished;
  keyLog?.finish();
  printer?.finish();
  await timeline?.finish();
  pcapSink?.close();
  report.verbose(`capture ended: ${result.reason}; ${(timeline ?? printer)?.count ?? 0} packets${timeline ? `, ${timeline.paired} seen by both ends shown once` : ''}`);
  if (kernelDrops > 0) report.warn(droppedPacketsLine(kernelDrops));
  if (result.error) report.line(`error: ${result.error}`);
  return result.error || containerFailed ? 1 : 0;
}
