/**
 * The helper-container capture backend: everything through the Docker API,
 * nothing on this machine but the user's own process. Short-lived helper
 * containers join the target's network namespace and run tcpdump; their pcap
 * streams come back over attach and go through the host path's CaptureSession,
 * so frames, limits, directions and events are the same as startCapture's.
 */
import { FrameBatchWriter } from '../../core/frameBatch';
import { FlushPacer } from '../../core/flushPacer';
import { CaptureError, isCaptureError } from '../../protocol/captureErrors';
import type { CaptureRequest } from '../../protocol/captureRequest';
import type { ResolvedContainer } from '../../protocol/resolvedContainer';
import { validateContainerId } from '../../protocol/requestValidation';
import { CaptureSession } from '../../helper/captureSession';
import type { PipelineSpec } from '../../helper/capturePlan';
import type { CaptureEndInfo, CaptureEvents, CaptureHandle, CaptureStopOptions } from '../captureClient';
import type { DockerApis, DockerClient } from '../dockerClient';
import { knownCapabilities, needsUserSwitch, rememberCapabilities } from './capabilityProbe';
import { blockWritingArgv, planContainerCapture } from './containerCapturePlan';
import { CaptureHandover } from './captureHandover';
import { ContainerPacketSource, type ExitExplainer } from './containerPacketSource';
import { DEFAULT_HELPER_IMAGE, type CapabilitySet } from './helperContainerSpec';
import { ensureHelperImage, IMAGE_SETTING_HINT, validateHelperImage } from './helperImage';
import { HelperContainerRun } from './helperContainerRun';
import { helperName } from './helperNames';
import { sweepLeftoverHelpers } from './leftoverSweep';
import { listTargetInterfaces } from './namespaceInterfaceList';
import { TargetWatch } from './targetWatch';

export interface ContainerCaptureOptions {
  /** Image with `tcpdump` on PATH (setting dockerNetworkCapture.helperImage, CLI --helper-image). */
  helperImage?: string;
  /** Pull progress, one short line at a time (a notification in VS Code, stderr in the CLI). */
  onPullProgress?: (line: string) => void;
  verbose: boolean;
}

/** As the host helper's packet reader: frames leave at once unless a batch left less than a gap ago (FlushPacer). */
const BATCH_GAPS = { lightGapMs: 5, loadedGapMs: 20, lightFrames: 16 };
const BATCH_MAX_BYTES = 256 * 1024;

/** Resolves once tcpdump listens on every interface; rejects with a CaptureError otherwise. */
export async function startContainerCapture(
  docker: Pick<DockerClient, 'endpoint' | 'engine'> & DockerApis,
  target: ResolvedContainer,
  request: CaptureRequest,
  options: ContainerCaptureOptions,
  events: CaptureEvents,
): Promise<CaptureHandle> {
  const image = validateHelperImage(options.helperImage?.trim() || DEFAULT_HELPER_IMAGE);
  const log = safeLog(events);
  const targetId = validateContainerId(target.id);
  if (target.networkMode === 'host') {
    throw new CaptureError('no-network-namespace', `container ${target.name} uses the host's network (--network host): it has no interfaces of its own. Capture on the host's interfaces with tcpdump instead.`);
  }
  // Refuse a bad request before anything is created on the engine.
  planContainerCapture(target, request, []);

  const { api, streamingApi } = docker;
  const removed = await sweepLeftoverHelpers(api).catch((err: unknown) => {
    throw new CaptureError('docker-unreachable', `Docker is not reachable at ${docker.endpoint} (${(err as Error).message}).`);
  });
  if (removed.length > 0) log('info', `removed ${removed.length} helper container(s) left by an earlier capture: ${removed.join(', ')}`);

  await ensureHelperImage(api, streamingApi, image, (line) => {
    // Shown once: where the caller shows progress (a notification, stderr), else in the log.
    if (options.onPullProgress) {
      log('debug', line);
      options.onPullProgress(line);
    } else {
      log('info', line);
    }
  });
  const interfaces = await listTargetInterfaces(api, streamingApi, image, targetId).catch((err: unknown) => {
    throw asStartError(err, image);
  });
  if (interfaces.length === 0) throw new CaptureError('no-network-namespace', `container ${target.name} has no network interface that is up`);
  if (interfaces.every((i) => i.loopback)) log('info', `container ${target.name} has no network (--network ${target.networkMode || 'none'}): only its loopback can be captured`);
  const specs = planContainerCapture(target, request, interfaces);

  const watch = new TargetWatch(api, targetId, docker.endpoint);
  const explain: ExitExplainer = (exit, tcpdumpError, name) => watch.explainHelperExit(exit, tcpdumpError, name);
  const start = (spec: PipelineSpec, caps: CapabilitySet): Promise<ContainerPacketSource> =>
    HelperContainerRun.start(api, streamingApi, { image, targetId, args: spec.argv.slice(1), capabilities: caps, name: helperName(targetId, spec.interfaceName) }).then(
      (run) => new ContainerPacketSource(spec, run, explain),
      (err: unknown) => {
        throw asStartError(err, image);
      },
    );

  const sources: ContainerPacketSource[] = [];
  let session: CaptureSession;
  let caps: CapabilitySet;
  let handovers: CaptureHandover[];
  try {
    caps = await probeCapabilities(docker.endpoint, image, specs, start, sources, log);
    for (const spec of specs.slice(sources.length)) sources.push(await start(spec, caps));
    for (const s of sources) log('debug', `helper container ${s.run.name}: tcpdump ${s.spec.argv.slice(1).join(' ')}`);
    const knownCaps = caps;
    // Each interface's tcpdump is handed over to a block writer while its rate is high (captureHandover.ts).
    handovers = sources.map(
      (first) =>
        new CaptureHandover(first, {
          startRun: (writes) => start(writes === 'blocks' ? { ...first.spec, argv: blockWritingArgv(first.spec.argv) } : first.spec, knownCaps),
          log: (level, message) => log(level, message),
          standby: docker.engine.kind !== 'ssh',
        }),
    );
    session = await CaptureSession.fromSources(handovers, request.limits);
  } catch (err) {
    await Promise.all(sources.map((s) => s.stop(500)));
    watch.dispose();
    throw asStartError(err, image);
  }
  return new ContainerCapture(session, handovers, watch, caps, image, events, log).handle;
}

/**
 * Starts the first pipeline with NET_RAW only unless the answer is known;
 * if its tcpdump needs to switch users, starts it again with SETUID/SETGID.
 */
async function probeCapabilities(
  engine: string,
  image: string,
  specs: PipelineSpec[],
  start: (spec: PipelineSpec, caps: CapabilitySet) => Promise<ContainerPacketSource>,
  sources: ContainerPacketSource[],
  log: CaptureEvents['log'],
): Promise<CapabilitySet> {
  const cached = knownCapabilities(engine, image);
  const first = specs[0];
  if (cached || !first) return cached ?? 'net-raw';
  const trial = await start(first, 'net-raw');
  try {
    await trial.waitUntilListening();
    sources.push(trial);
    rememberCapabilities(engine, image, 'net-raw');
    log('debug', `the helper image's tcpdump runs with NET_RAW alone`);
    return 'net-raw';
  } catch (err) {
    await trial.stop(500);
    if (!needsUserSwitch(trial.tcpdumpError)) throw err;
    log('debug', `the helper image's tcpdump switches to its own user after opening the interface (${trial.tcpdumpError ?? ''}): SETUID and SETGID added`);
    rememberCapabilities(engine, image, 'net-raw-and-drop');
    return 'net-raw-and-drop';
  }
}

function asStartError(err: unknown, image: string): CaptureError {
  if (isCaptureError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/executable file not found|no such file or directory.*tcpdump|"tcpdump".*not found/i.test(message)) {
    return new CaptureError('tcpdump-missing', `the helper image ${image} has no tcpdump on its PATH; ${IMAGE_SETTING_HINT}`);
  }
  if (/no such image|not found: manifest|pull access denied/i.test(message)) {
    return new CaptureError('tcpdump-missing', `the helper image ${image} is not on the Docker engine; ${IMAGE_SETTING_HINT}`);
  }
  if ((err as { statusCode?: number }).statusCode === 404 || /is not running|no such container/i.test(message)) {
    return new CaptureError('container-not-running', `the container stopped before the capture started (${firstLine(message)})`);
  }
  const code = /syntax error|illegal|expression|can't parse|unknown (host|port|proto)/i.test(message) ? 'invalid-filter' : 'helper-failed';
  return new CaptureError(code, firstLine(message));
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? text).trim();
}

function safeLog(events: CaptureEvents): CaptureEvents['log'] {
  return (level, message) => {
    try {
      events.log(level, message);
    } catch {
      // a listener that throws must not stop the capture
    }
  };
}

/** A running capture: frames batched like the helper's, the target watched, the end told once. */
class ContainerCapture implements CaptureHandle {
  readonly handle: CaptureHandle = this;
  readonly finished: Promise<CaptureEndInfo>;
  readonly channelDirectory = '';
  private resolveFinished!: (info: CaptureEndInfo) => void;
  private readonly writer = new FrameBatchWriter();
  private readonly pacer = new FlushPacer(() => this.flush(), BATCH_GAPS);
  private ended = false;

  constructor(
    private readonly session: CaptureSession,
    private readonly sources: CaptureHandover[],
    private readonly watch: TargetWatch,
    caps: CapabilitySet,
    image: string,
    private readonly events: CaptureEvents,
    private readonly log: CaptureEvents['log'],
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
    this.call(() =>
      events.started({
        interfaces: session.specs.map((s) => s.interfaceName),
        commands: session.specs.map((s) => s.argv),
        // No local helper process: tcpdump runs in the helper containers.
        helperPid: 0,
        tcpdumpPids: [],
        uid: -1,
        gid: -1,
      }),
    );
    const who = caps === 'net-raw' ? 'as the container\'s root with NET_RAW only' : 'as its own user after opening the interface (no capability left)';
    log('info', `capturing through helper containers ${sources.flatMap((s) => s.helperNames).join(', ')} (image ${image}); tcpdump runs ${who}`);
    watch.start((reason, error) => {
      watch.cause ??= { reason, ...(error ? { error } : {}) };
      if (error) for (const s of sources) s.abandon(new Error(error.message));
      void session.stop(reason);
    });
    session.begin({
      frame: (frame) => {
        this.writer.add(frame);
        this.pacer.poke();
        if (this.writer.byteLength >= BATCH_MAX_BYTES) {
          this.pacer.flushed(this.flush());
        }
      },
      stats: (kernelDrops) => this.call(() => events.stats({ kernelDrops })),
      log: (level, message) => log(level, message),
      ended: (reason, error) => void this.end(reason, error),
    });
  }

  /** Hands the batch on; returns how many frames it held. */
  private flush(): number {
    if (this.writer.frameCount === 0) return 0;
    const n = this.writer.frameCount;
    const batch = this.writer.take();
    this.call(() => this.events.frames(batch, n));
    return n;
  }

  private call(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log('error', `a capture event listener failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async end(reason: string, error?: CaptureError): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.pacer.dispose();
    this.flush();
    this.watch.dispose();
    // Whatever ended it, no helper container outlives the capture.
    await Promise.all(this.sources.map((s) => s.removeAll()));
    const counts = this.session.tcpdumpCounts;
    // tcpdump tells its counts on stderr as it exits; a helper cut off from this process
    // (the connection to the engine lost) never gets them here: say so rather than "0".
    const countsLost = counts.captured === 0 && this.session.frameCount > 0;
    this.log(
      'info',
      countsLost
        ? `tcpdump's own packet counts did not arrive; ${this.session.frameCount} frames delivered`
        : `tcpdump captured ${counts.captured} packets (kernel dropped ${counts.droppedByKernel}); ${this.session.frameCount} frames delivered`,
    );
    // A helper that ended unasked makes the session say "tcpdump on eth0
    // exited"; the watch knows the cause when it was the target or the engine.
    const cause = this.watch.cause;
    const info: CaptureEndInfo = cause && !isOwnReason(reason) ? cause : { reason, ...(error ? { error } : {}) };
    this.call(() => this.events.ended(info));
    this.resolveFinished(info);
  }

  /** Backpressure from the consumer (the inspector's window): stop reading the attach streams; tcpdump blocks and the kernel counts drops. */
  pause(): void {
    this.session.pause();
  }

  resume(): void {
    this.session.resume();
  }

  async stop(options?: CaptureStopOptions): Promise<void> {
    if (!options?.honourPause) this.session.resume();
    if (!this.ended) await this.session.stop('stopped');
    await this.finished;
  }
}

/** Reasons the session gives when it ended as asked (not because a helper went away). */
function isOwnReason(reason: string): boolean {
  return reason === 'stopped' || reason === 'packet limit reached' || reason === 'size limit reached' || reason === 'duration limit reached';
}
