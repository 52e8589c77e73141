/**
 * `--via container`: the CLI through the helper-container backend. No root and
 * nothing local but the Docker API: tcpdump runs in helper containers the
 * engine starts; this process parses and prints exactly as the host path does.
 */
import { readFrameBatch } from '../core/frameBatch';
import { CaptureError } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import { validateFilter } from '../protocol/requestValidation';
import { createDockerClient } from '../client/dockerClient';
import { startContainerCapture } from '../client/helperContainer/startContainerCapture';
import type { CliOptions } from './cliArguments';
import { droppedPacketsLine } from './cliOutput';
import { PacketPrinter, type OutputFormat } from './packetPrinter';
import { openCaptureFile } from './captureFile';
import { openInProcessKeyLog } from './tlsKeyLogInProcess';
import { captureFileFormat, captureFileSink } from './captureFileSinks';
import type { PrinterOutput } from './printerOutput';

export async function captureViaContainer(o: CliOptions, program: string, format: OutputFormat, writeOut: (onClosed: () => void) => PrinterOutput): Promise<number> {
  const say = (message: string): void => void process.stderr.write(`${program}: ${message}\n`);
  const verbose = (message: string): void => {
    if (o.verbose) say(message);
  };
  if (o.bridge) throw new CaptureError('invalid-request', '-b captures on a host bridge and needs --via host (as root)');
  const request: CaptureRequest = {
    container: o.container as string,
    direction: o.direction,
    mode: { kind: 'namespace' },
    filter: validateFilter(o.filter),
    snapLength: o.snapLength,
    limits: { count: o.count, durationSeconds: o.durationSeconds, maxBytes: o.maxBytes },
  };
  const docker = createDockerClient({ endpoint: o.docker, context: o.context });
  verbose(`docker endpoint: ${docker.endpoint}; capturing through helper containers`);
  const target = await docker.resolveContainer(request.container);
  verbose(`container ${target.name} (${target.id.slice(0, 12)}), network mode ${target.networkMode}`);
  // Read before anything starts: a missing key log stops the CLI with its reason.
  const keyLog = await openInProcessKeyLog(o, true, (m) => say(`warning: ${m}`));
  const pcapSink = o.writeFile ? captureFileSink(captureFileFormat(o.writeFile), openCaptureFile(o.writeFile), o.snapLength || 262144, (m) => say(`warning: ${m}`)) : undefined;
  let stop = (): void => undefined;
  const output = writeOut(() => stop());
  const printer = new PacketPrinter(format, output, keyLog?.printing);
  let code = 0;
  let kernelDrops = 0;
  let paused = false;
  let pause = (): void => undefined;
  let resume = (): void => undefined;
  const handle = await startContainerCapture(
    docker,
    target,
    request,
    { ...(o.helperImage ? { helperImage: o.helperImage } : {}), verbose: o.verbose, onPullProgress: say },
    {
      // An interface captured per direction (no MAC known) is listed twice in `interfaces`: named once.
      started: (info) => verbose(`capturing on ${[...new Set(info.interfaces)].join(', ')}`),
      frames: (batch) => {
        for (const frame of readFrameBatch(batch)) {
          pcapSink?.add(Object.assign(frame, { container: target.name }));
          printer.add(frame);
        }
        // A reader slower than the capture: stop reading the helpers; tcpdump blocks and the kernel counts the drops.
        if (output.full && !paused) {
          paused = true;
          pause();
          void output.drained().then(() => {
            paused = false;
            resume();
          });
        }
      },
      stats: (s) => {
        kernelDrops = s.kernelDrops;
        if (s.kernelDrops > 0) verbose(`kernel dropped ${s.kernelDrops} packets so far`);
      },
      log: (level, message) => {
        if (level !== 'debug' || o.verbose) say(`${level === 'info' ? '' : level + ': '}${message}`);
      },
      ended: (info) => {
        keyLog?.stop();
        printer.finish();
        pcapSink?.close();
        verbose(`capture ended: ${info.reason}; ${printer.count} packets`);
        if (kernelDrops > 0) say(`warning: ${droppedPacketsLine(kernelDrops)}`);
        if (info.error) {
          say(`error: ${info.error.message}`);
          code = 1;
        }
      },
    },
  );
  stop = () => void handle.stop();
  pause = () => handle.pause();
  resume = () => handle.resume();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void handle.stop());
  await handle.finished;
  return code;
}
