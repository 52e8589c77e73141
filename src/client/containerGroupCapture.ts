/**
 * Several containers captured as one: one capture per container (a helper
 * container each, or whatever `startOne` starts), their frames tagged with the
 * container's name, and the captured containers' addresses recorded for the
 * de-duplication rule (core/timeline/capturedAddresses.ts), from each one's
 * first frame to its last. With a Compose project, the group follows it
 * through Docker's event stream: a container of the project that starts
 * (scale up, restart, recreate) joins; one that stops leaves without ending
 * the rest. Without a project, the group ends when its last container leaves.
 *
 * How each container is captured is the backend's (GroupBackend): a helper
 * container each, or one root helper for the whole batch (hostGroupBackend.ts).
 *
 * The same rules as the CLI's `--project` (cli/multiContainerCapture.ts); no
 * `vscode` here, so the extension's capture of several containers uses it.
 */
import { forEachFrame } from '../core/frameBatch';
import { CapturedAddresses } from '../core/timeline/capturedAddresses';
import type { CapturedFrame } from '../core/packet';
import { frameMicros, type ContainerFrame } from '../core/timeline/containerFrame';
import { CaptureError } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import type { CaptureEndInfo, CaptureEvents, CaptureHandle, CaptureStartedInfo, CaptureStopOptions, CaptureStats } from './captureClient';
import { COMPOSE_PROJECT_LABEL } from './composeLabel';
import type { ContainerLister, DisposableLike } from './dockerClient';

/** Starts the capture of one container (the backend's own start function, bound to its options). */
export type StartOneCapture = (target: ResolvedContainer, request: CaptureRequest, events: CaptureEvents) => Promise<CaptureHandle>;

/** One container's capture as the group receives it: its frames already told apart from the others'. */
export interface MemberCaptureEvents {
  started(info: CaptureStartedInfo): void;
  /** Its frames, with their plain interface names (`eth0`); `data` are views into the batch they came in. */
  frames(frames: CapturedFrame[]): void;
  stats(stats: CaptureStats): void;
  log(level: 'info' | 'debug' | 'warn' | 'error', message: string): void;
  /** Its capture ended; the others' may go on. */
  ended(info: CaptureEndInfo): void;
}

/**
 * Starts the captures of several containers at once (a helper container each,
 * or one root helper for all): one handle per target, in order, which may be
 * one shared handle. Rejects, with nothing of the batch left running, when any
 * cannot start.
 */
export type StartCaptures = (
  targets: readonly ResolvedContainer[],
  request: CaptureRequest,
  events: (target: ResolvedContainer) => MemberCaptureEvents,
  /** What a capture shared by the batch says (a root helper's own log), not any one container's. */
  log: (level: 'info' | 'debug' | 'warn' | 'error', message: string) => void,
) => Promise<CaptureHandle[]>;

/** How a group reaches its containers' packets. */
export interface GroupBackend {
  startMany: StartCaptures;
  /**
   * Whether a container that starts during the capture can join it (for the
   * host helper: only when that needs no second password prompt). A string is
   * the one line that tells the user why it was not joined and how to capture it.
   */
  admitLater?(target: ResolvedContainer): Promise<true | string>;
}

export interface GroupCaptureEvents {
  /** A container's capture runs (the first ones, and each that joins later). */
  joined(target: ResolvedContainer, info: CaptureStartedInfo): void;
  /** Frames of one container, tagged; their `data` are views into the batch they came in. */
  frames(frames: ContainerFrame[]): void;
  stats(target: ResolvedContainer, stats: CaptureStats): void;
  log(target: ResolvedContainer | undefined, level: 'info' | 'debug' | 'warn' | 'error', message: string): void;
  /** A container's capture ended (it stopped, or its capture failed); the others go on. */
  left(target: ResolvedContainer, info: CaptureEndInfo): void;
  /** Every capture of the group has ended and none will join: the group is over. */
  ended(): void;
  /** A container of the project started and was not joined (GroupBackend.admitLater): `notice` says why and what to do. */
  notJoined?(target: ResolvedContainer, notice: string): void;
}

export interface GroupCaptureOptions {
  /** Follow this Compose project: its containers that start join. */
  project?: string;
  /** The request for each container, less the container itself; limits are the whole group's, not applied per container. */
  request: Omit<CaptureRequest, 'container' | 'limits'>;
}

interface Member {
  target: ResolvedContainer;
  handle?: CaptureHandle;
}

export class ContainerGroupCapture {
  /** Who owns which address, and since when: the de-duplication rule reads it. */
  readonly addresses = new CapturedAddresses();
  private readonly members = new Map<string, Member>();
  private stopping = false;
  private over = false;
  private paused = false;
  private watch: DisposableLike | undefined;

  private readonly backend: GroupBackend;

  constructor(
    private readonly docker: ContainerLister,
    /** A function: one capture per container (the helper container's way). */
    backend: StartOneCapture | GroupBackend,
    private readonly options: GroupCaptureOptions,
    private readonly events: GroupCaptureEvents,
  ) {
    this.backend = typeof backend === 'function' ? { startMany: oneCapturePerContainer(backend) } : backend;
  }

  /** Ids of the containers being captured now. */
  get containerIds(): string[] {
    return [...this.members.keys()];
  }

  /** Names of the containers being captured now. */
  get containerNames(): string[] {
    return [...this.members.values()].map((m) => m.target.name);
  }

  get isOver(): boolean {
    return this.over;
  }

  /**
   * Starts every target (and, with a project, watches for more). Rejects with
   * the first failure once the others are stopped again: a group that cannot
   * capture all it was asked for does not pretend to.
   */
  async start(targets: readonly ResolvedContainer[]): Promise<void> {
    // Watched before the first start: a container that starts meanwhile is not missed.
    if (this.options.project !== undefined) this.watchProject(this.options.project);
    try {
      await this.join(targets);
    } catch (err) {
      await this.stop();
      throw err;
    }
    if (this.members.size === 0) this.end();
  }

  /** Stops every capture; resolves once each has ended. */
  async stop(options?: CaptureStopOptions): Promise<void> {
    this.stopping = true;
    this.watch?.dispose();
    this.watch = undefined;
    await Promise.all([...this.members.values()].map((m) => m.handle?.stop(options).catch(() => undefined)));
    if (this.members.size === 0) this.end();
  }

  /** Flow control for every capture of the group (a consumer is behind). */
  pause(): void {
    this.paused = true;
    for (const m of this.members.values()) m.handle?.pause();
  }

  resume(): void {
    this.paused = false;
    for (const m of this.members.values()) m.handle?.resume();
  }

  /** Starts a batch of targets (the first ones, or one that started later); rejects when any cannot start. */
  private async join(targets: readonly ResolvedContainer[]): Promise<void> {
    const batch = targets.filter((t) => !this.members.has(t.id));
    if (batch.length === 0 || this.stopping) return;
    const joined = batch.map((t) => this.admit(t));
    const request: CaptureRequest = { ...this.options.request, container: batch[0]!.id, limits: {} };
    const byId = new Map(joined.map((j) => [j.member.target.id, j]));
    try {
      const handles = await this.backend.startMany(batch, request, (t) => byId.get(t.id)!.events, (level, message) => this.events.log(undefined, level, message));
      for (const [k, j] of joined.entries()) {
        const handle = handles[k];
        if (!handle) continue;
        j.member.handle = handle;
        if (this.paused) handle.pause();
        if (this.stopping) void handle.stop();
      }
    } catch (err) {
      for (const j of joined) j.leave({ reason: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** A member, and the events its capture reports to. */
  private admit(t: ResolvedContainer): { member: Member; events: MemberCaptureEvents; leave: (info: CaptureEndInfo) => void } {
    const member: Member = { target: t };
    this.members.set(t.id, member);
    // Its addresses count as captured from its first frame on: a packet sent to it
    // before its capture ran was not missed by it (the skew: two tcpdumps, one clock).
    let registered = false;
    let lastFrameMicros = 0;
    let gone = false;
    const leave = (info: CaptureEndInfo): void => {
      if (gone) return;
      gone = true;
      this.members.delete(t.id);
      this.addresses.captureEnded(t.name, lastFrameMicros);
      this.events.left(t, info);
      if (this.members.size === 0 && (this.stopping || this.options.project === undefined)) this.end();
    };
    const events: MemberCaptureEvents = {
      started: (info) => this.events.joined(t, info),
      frames: (frames) => {
        const tagged = frames.map((f) => Object.assign(f, { container: t.name }));
        const first = tagged[0];
        const last = tagged[tagged.length - 1];
        if (!first || !last) return;
        if (!registered) {
          registered = true;
          this.addresses.captureStarted(t.name, t.networks.flatMap((n) => [n.ipv4, n.ipv6].filter((a): a is string => !!a)), frameMicros(first));
        }
        lastFrameMicros = frameMicros(last);
        this.events.frames(tagged);
      },
      stats: (s) => this.events.stats(t, s),
      log: (level, message) => this.events.log(t, level, message),
      ended: (info) => leave(info),
    };
    return { member, events, leave };
  }

  private watchProject(project: string): void {
    this.watch = this.docker.watchEvents(
      (e) => {
        if (e.action !== 'start' || this.stopping || this.members.has(e.id)) return;
        void this.joinIfMember(project, e.id);
      },
      (error) => {
        if (!this.stopping) this.events.log(undefined, 'warn', `Docker's event stream ended${error ? ` (${error.message})` : ''}: containers of project ${project} that start from now on are not captured`);
      },
    );
  }

  private async joinIfMember(project: string, id: string): Promise<void> {
    try {
      if (!(await projectMember(this.docker, project, id))) return;
      const t = await this.docker.resolveContainer(id);
      if (this.stopping || this.members.has(t.id)) return;
      const admitted = this.backend.admitLater ? await this.backend.admitLater(t) : true;
      if (this.stopping) return;
      if (admitted !== true) {
        this.events.log(undefined, 'warn', admitted);
        this.events.notJoined?.(t, admitted);
        return;
      }
      this.events.log(undefined, 'info', `${t.name} started: it joins the capture`);
      await this.join([t]);
    } catch (err) {
      this.events.log(undefined, 'warn', `a container of project ${project} started but cannot be captured: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    this.watch?.dispose();
    this.watch = undefined;
    this.events.ended();
  }
}

/**
 * The helper container's way: one capture per container, started side by
 * side; when one cannot start, those that did are stopped again.
 */
export function oneCapturePerContainer(startOne: StartOneCapture): StartCaptures {
  return async (targets, request, eventsFor) => {
    const started = await Promise.allSettled(targets.map((t) => {
      const events = eventsFor(t);
      return startOne(t, { ...request, container: t.id }, {
        started: (info) => events.started(info),
        frames: (batch) => {
          const frames: CapturedFrame[] = [];
          forEachFrame(batch, (f) => frames.push(f));
          events.frames(frames);
        },
        stats: (s) => events.stats(s),
        log: (level, message) => events.log(level, message),
        ended: (info) => events.ended(info),
      });
    }));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return started.map((r) => (r as PromiseFulfilledResult<CaptureHandle>).value);
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop().catch(() => undefined) : undefined)));
    throw failed.reason;
  };
}

/** Whether the container `id` belongs to `project` (asks the engine's container list). */
async function projectMember(docker: ContainerLister, project: string, id: string): Promise<boolean> {
  const all = await docker.listContainers();
  return all.some((c) => c.id === id && c.labels[COMPOSE_PROJECT_LABEL] === project);
}

/**
 * Every running container of a Compose project, resolved (one that stops
 * between the list and now is left out); none running is an error, as for
 * the CLI's `--project`.
 */
export async function projectTargets(docker: ContainerLister, project: string): Promise<ResolvedContainer[]> {
  const members = (await docker.listContainers()).filter((c) => c.labels[COMPOSE_PROJECT_LABEL] === project && c.state === 'running');
  if (members.length === 0) throw new CaptureError('no-such-container', `no running container of Compose project ${JSON.stringify(project)} (label ${COMPOSE_PROJECT_LABEL})`);
  return resolveRunning(docker, members.map((m) => m.id));
}

/** The containers given, resolved; those that stopped meanwhile are left out; none left is an error. */
export async function resolveRunning(docker: ContainerLister, ids: readonly string[]): Promise<ResolvedContainer[]> {
  const targets: ResolvedContainer[] = [];
  for (const id of new Set(ids)) {
    try {
      targets.push(await docker.resolveContainer(id));
    } catch (err) {
      if (!(err instanceof CaptureError && err.code === 'container-not-running')) throw err;
    }
  }
  if (targets.length === 0) throw new CaptureError('container-not-running', 'none of the containers to capture is running');
  return targets;
}
