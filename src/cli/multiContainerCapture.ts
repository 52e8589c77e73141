/**
 * Several containers at once through helper containers (`--via container`):
 * one helper capture per target container (client/containerGroupCapture.ts,
 * which the VS Code side uses too), their frames tagged with the container's
 * name, merged into one timeline and de-duplicated (timelinePrinter.ts). With
 * `--project`, the capture follows the Compose project through Docker's event
 * stream: a container of the project that starts joins; one that stops leaves
 * without ending the rest. The capture
 * ends on a signal, --duration, --count (rows printed) or --max-bytes (bytes
 * captured, every copy), or, without --project, when every target has left.
 */
import { ContainerGroupCapture } from '../client/containerGroupCapture';
import { createDockerClient } from '../client/dockerClient';
import { startContainerCapture } from '../client/helperContainer/startContainerCapture';
import { CaptureError } from '../protocol/captureErrors';
import { validateFilter } from '../protocol/requestValidation';
import { openCaptureFile } from './captureFile';
import { captureFileFormat, captureFileSink } from './captureFileSinks';
import { resolveCaptureTargets, validateProjectName } from './captureTargets';
import type { CliOptions } from './cliArguments';
import { droppedPacketsLine } from './cliOutput';
import type { OutputFormat } from './packetPrinter';
import type { PrinterOutput } from './printerOutput';
import { TimelinePrinter } from './timelinePrinter';

export async function captureManyViaContainers(o: CliOptions, program: string, format: OutputFormat, openOutput: (onBrokenPipe: () => void) => PrinterOutput): Promise<number> {
  const say = (message: string): void => void process.stderr.write(`${program}: ${message}\n`);
  const verbose = (message: string): void => {
    if (o.verbose) say(message);
  };
  if (o.bridge) throw new CaptureError('invalid-request', '-b captures on a host bridge and takes one container');
  const project = o.project === undefined ? undefined : validateProjectName(o.project);
  const filter = validateFilter(o.filter);
  const docker = createDockerClient({ endpoint: o.docker, context: o.context });
  verbose(`docker endpoint: ${docker.endpoint}; capturing through helper containers`);
  const targets = await resolveCaptureTargets(docker, o.containers, project);
  const snapLength = o.snapLength || 262144;
  const sink = o.writeFile ? captureFileSink(captureFileFormat(o.writeFile), openCaptureFile(o.writeFile), snapLength, (m) => say(`warning: ${m}`)) : undefined;

  let stopping = false;
  let capturedBytes = 0;
  /** Kernel drops per container (each helper reports its running total). */
  const kernelDrops = new Map<string, number>();
  let code = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    // What the helpers still send comes as stdout takes it: a paused block writer's ring
    // (up to 64 MiB) read at once would be held here until a slow reader took it.
    void group.stop({ honourPause: true });
  };
  const group: ContainerGroupCapture = new ContainerGroupCapture(
    docker,
    (t, request, events) => startContainerCapture(docker, t, request, { ...(o.helperImage ? { helperImage: o.helperImage } : {}), verbose: o.verbose, onPullProgress: say }, events),
    // Limits are the whole capture's, counted here: not per container.
    { ...(project !== undefined ? { project } : {}), request: { direction: o.direction, mode: { kind: 'namespace' }, filter, snapLength: o.snapLength } },
    {
      joined: (t, info) => verbose(`${t.name}: capturing on ${info.interfaces.join(', ')}`),
      frames: (frames) => {
        for (const frame of frames) {
          capturedBytes += frame.data.length;
          sink?.add(frame);
          printer.add(frame);
        }
        if (o.maxBytes !== undefined && capturedBytes >= o.maxBytes) stopAll();
        pauseWhileFull();
      },
      stats: (t, s) => {
        kernelDrops.set(t.name, s.kernelDrops);
        if (s.kernelDrops > 0) verbose(`${t.name}: kernel dropped ${s.kernelDrops} packets so far`);
      },
      log: (t, level, message) => {
        if (level !== 'debug' || o.verbose) say(`${t ? `${t.name}: ` : ''}${level === 'info' ? '' : level + ': '}${message}`);
      },
      left: (t, info) => {
        // A container that stops leaves; the others go on.
        if (stopping) return;
        say(`${t.name} left the capture: ${info.reason}`);
        if (info.error) {
          say(`${t.name}: error: ${info.error.message}`);
          if (project === undefined) code = 1;
        }
      },
      ended: () => {
        stopping = true;
        resolveDone();
      },
    },
  );
  const output = openOutput(stopAll);
  // A reader slower than the capture (`| less`, `| sleep 60`): stop reading every
  // helper until stdout drains and the rows waiting for it are few; their tcpdumps
  // block and the kernel counts the drops.
  let paused = false;
  const pauseWhileFull = (): void => {
    if (paused || !printer.full) return;
    paused = true;
    group.pause();
    void printer.drained().then(() => {
      paused = false;
      group.resume();
    });
  };
  const printer = new TimelinePrinter(format, output, group.addresses, o.direction === 'both', (rows) => {
    if (o.count !== undefined && rows >= o.count) stopAll();
    pauseWhileFull();
  }, o.count);

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, stopAll);
  const duration = o.durationSeconds === undefined ? undefined : setTimeout(stopAll, o.durationSeconds * 1000);
  try {
    await group.start(targets);
    verbose(`capturing ${targets.map((t) => t.name).join(', ')}${project ? ` and project ${project}'s containers that start` : ''}`);
    await done;
  } finally {
    if (duration) clearTimeout(duration);
    await printer.finish();
    sink?.close();
    docker.dispose();
  }
  const dropped = [...kernelDrops.values()].reduce((a, b) => a + b, 0);
  if (dropped > 0) say(`warning: ${droppedPacketsLine(dropped)}`);
  verbose(`capture ended: ${printer.frames} frames captured, ${printer.count} rows printed, ${printer.paired} packets seen by both ends shown once`);
  return code;
}
