/**
 * Several containers at once through helper containers (`--via container`):
 * one helper capture per target container, their frames tagged with the
 * container's name, merged into one timeline and de-duplicated
 * (timelinePrinter.ts). With `--project`, the capture follows the Compose
 * project through Docker's event stream: a container of the project that
 * starts joins; one that stops leaves without ending the rest. The capture
 * ends on a signal, --duration, --count (rows printed) or --max-bytes (bytes
 * captured, every copy), or, without --project, when every target has left.
 */
import type { CaptureHandle } from '../client/captureClient';
import { createDockerClient, type DisposableLike } from '../client/dockerClient';
import { startContainerCapture } from '../client/helperContainer/startContainerCapture';
import { forEachFrame } from '../core/frameBatch';
import { CapturedAddresses } from '../core/timeline/capturedAddresses';
import { frameMicros, type ContainerFrame } from '../core/timeline/containerFrame';
import { DEFAULT_SKEW_MICROS } from '../core/timeline/packetDeduplicator';
import { CaptureError } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { validateFilter } from '../protocol/requestValidation';
import { openCaptureFile } from './captureFile';
import { captureFileFormat, captureFileSink } from './captureFileSinks';
import { projectMember, resolveCaptureTargets, validateProjectName } from './captureTargets';
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
  const addresses = new CapturedAddresses();

  const active = new Map<string, { name: string; handle?: CaptureHandle }>();
  let stopping = false;
  let capturedBytes = 0;
  /** Kernel drops per container (each helper reports its running total). */
  const kernelDrops = new Map<string, number>();
  let code = 0;
  let events: DisposableLike | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    events?.dispose();
    for (const entry of active.values()) void entry.handle?.stop();
    if (active.size === 0) resolveDone();
  };
  const output = openOutput(stopAll);
  // A reader slower than the capture (`| less`, `| sleep 60`): stop reading every
  // helper until stdout drains; their tcpdumps block and the kernel counts the drops.
  let paused = false;
  const pauseWhileFull = (): void => {
    if (paused || !output.full) return;
    paused = true;
    for (const entry of active.values()) entry.handle?.pause();
    void output.drained().then(() => {
      paused = false;
      for (const entry of active.values()) entry.handle?.resume();
    });
  };
  const printer = new TimelinePrinter(format, output, addresses, o.direction === 'both', (rows) => {
    if (o.count !== undefined && rows >= o.count) stopAll();
    pauseWhileFull();
  }, o.count);

  const request = (t: ResolvedContainer): CaptureRequest => ({
    container: t.id,
    direction: o.direction,
    mode: { kind: 'namespace' },
    filter,
    snapLength: o.snapLength,
    // Limits are the whole capture's, counted here: not per container.
    limits: {},
  });

  const join = async (t: ResolvedContainer): Promise<void> => {
    if (active.has(t.id) || stopping) return;
    const entry: { name: string; handle?: CaptureHandle } = { name: t.name };
    active.set(t.id, entry);
    // Its addresses count as captured from its first frame on: a packet sent to it
    // before its capture ran was not missed by it (the skew: two tcpdumps, one clock).
    let registered = false;
    let lastFrameMicros = 0;
    const register = (first: ContainerFrame): void => {
      registered = true;
      const since = frameMicros(first) - DEFAULT_SKEW_MICROS;
      for (const n of t.networks) {
        if (n.ipv4) addresses.add(n.ipv4, t.name, since);
        if (n.ipv6) addresses.add(n.ipv6, t.name, since);
      }
    };
    const leave = (): void => {
      active.delete(t.id);
      // Up to its last frame (the skew: its arrivals may be stamped a hair later than their departures).
      addresses.retire(t.name, lastFrameMicros + DEFAULT_SKEW_MICROS);
      if (active.size === 0 && (stopping || project === undefined)) {
        stopping = true;
        events?.dispose();
        resolveDone();
      }
    };
    try {
      entry.handle = await startContainerCapture(docker, t, request(t), { ...(o.helperImage ? { helperImage: o.helperImage } : {}), verbose: o.verbose, onPullProgress: say }, {
        started: (info) => verbose(`${t.name}: capturing on ${info.interfaces.join(', ')}`),
        frames: (batch) => {
          forEachFrame(batch, (f) => {
            const frame: ContainerFrame = Object.assign(f, { container: t.name });
            if (!registered) register(frame);
            lastFrameMicros = frameMicros(frame);
            capturedBytes += f.data.length;
            sink?.add(frame);
            printer.add(frame);
          });
          if (o.maxBytes !== undefined && capturedBytes >= o.maxBytes) stopAll();
          pauseWhileFull();
        },
        stats: (s) => {
          kernelDrops.set(t.name, s.kernelDrops);
          if (s.kernelDrops > 0) verbose(`${t.name}: kernel dropped ${s.kernelDrops} packets so far`);
        },
        log: (level, message) => {
          if (level !== 'debug' || o.verbose) say(`${t.name}: ${level === 'info' ? '' : level + ': '}${message}`);
        },
        ended: (info) => {
          // A container that stops leaves; the others go on.
          if (!stopping) say(`${t.name} left the capture: ${info.reason}`);
          if (info.error && !stopping) {
            say(`${t.name}: error: ${info.error.message}`);
            if (project === undefined) code = 1;
          }
          leave();
        },
      });
      if (stopping) void entry.handle.stop();
      else if (paused) entry.handle.pause();
    } catch (err) {
      leave();
      throw err;
    }
  };

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, stopAll);
  const duration = o.durationSeconds === undefined ? undefined : setTimeout(stopAll, o.durationSeconds * 1000);
  if (project !== undefined) {
    // Watched before the first start: a container that starts meanwhile is not missed.
    events = docker.watchEvents(
      (e) => {
        if (e.action !== 'start' || stopping || active.has(e.id)) return;
        void (async () => {
          try {
            if (!(await projectMember(docker, project, e.id))) return;
            const t = await docker.resolveContainer(e.id);
            say(`${t.name} started: it joins the capture`);
            await join(t);
          } catch (err) {
            say(`warning: a container of project ${project} started but cannot be captured: ${(err as Error).message}`);
          }
        })();
      },
      (error) => {
        if (!stopping) say(`warning: Docker's event stream ended${error ? ` (${error.message})` : ''}: containers that start from now on are not captured`);
      },
    );
  }
  try {
    const started = await Promise.allSettled(targets.map((t) => join(t)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      stopAll();
      await done;
      throw failed.reason;
    }
    verbose(`capturing ${targets.map((t) => t.name).join(', ')}${project ? ` and project ${project}'s containers that start` : ''}`);
    await done;
  } finally {
    if (duration) clearTimeout(duration);
    events?.dispose();
    printer.finish();
    sink?.close();
    docker.dispose();
  }
  const dropped = [...kernelDrops.values()].reduce((a, b) => a + b, 0);
  if (dropped > 0) say(`warning: ${droppedPacketsLine(dropped)}`);
  verbose(`capture ended: ${printer.frames} frames captured, ${printer.count} rows printed, ${printer.paired} packets seen by both ends shown once`);
  return code;
}
