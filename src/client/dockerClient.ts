/**
 * A small Docker client over dockerode, shared by the extension (container
 * tree, capture target, helper containers) and the CLI. No `vscode` here.
 * Every engine kind (unix socket, tcp with TLS, ssh) gives the same `api`.
 */
import type * as http from 'node:http';
import Docker from 'dockerode';
import { CaptureError } from '../protocol/captureErrors';
import { explainConnectionError } from './dockerConnectionErrors';
import { describeEndpoint, type DockerEndpoint } from './dockerEndpoint';
import { podmanFlavour, selectEngine, type EngineInfo, type EngineRequest, type EngineSelection, type SelectionEnvironment } from './dockerEngineSelection';
import { sshFailureOf } from './dockerSshTransport';
import { transportFor } from './dockerTransport';

export type { EngineInfo, EngineRequest } from './dockerEngineSelection';
import type { ContainerNetwork, ResolvedContainer } from '../protocol/resolvedContainer';

/** Docker's container states (`docker ps` STATE column). */
export type ContainerState = 'created' | 'restarting' | 'running' | 'removing' | 'paused' | 'exited' | 'dead';

/** One row of the container list, reduced to what the tree and the hostnames map need. */
export interface ContainerSummary {
  id: string;
  /** Name without Docker's leading slash. */
  name: string;
  image: string;
  state: ContainerState;
  /** Docker's human status, e.g. "Up 5 minutes". */
  status: string;
  labels: Record<string, string>;
  networks: ContainerNetwork[];
}

/** A container event, as far as a listing needs to know something changed. */
export interface ContainerEvent {
  action: string;
  id: string;
}

export interface DisposableLike {
  dispose(): void;
}

/** The part of a client a container listing needs (the tree's watcher; fakes in unit tests). */
export interface ContainerLister {
  /** The endpoint in use, as text (for messages and logs). */
  readonly endpoint: string;
  /** What is known of the engine from its endpoint (absent in fakes). */
  readonly engine?: EngineInfo;
  listContainers(): Promise<ContainerSummary[]>;
  resolveContainer(nameOrId: string): Promise<ResolvedContainer>;
  /**
   * Streams container events. `onEnd` fires once when the stream ends or fails
   * (the daemon went away); the caller decides whether to watch again.
   */
  watchEvents(onEvent: (event: ContainerEvent) => void, onEnd?: (error?: Error) => void): DisposableLike;
  /** Asks the engine what it is (absent in fakes). */
  describeEngine?(): Promise<EngineInfo>;
  /** Closes idle connections (ssh children). */
  dispose?(): void;
}

export interface DockerClient extends ContainerLister {
  /** dockerode over this engine's transport, with the request timeout: for requests that answer at once. */
  readonly api: Docker;
  /** Same engine and transport, no timeout: for attach, events, pull and other long streams. */
  readonly streamingApi: Docker;
  /** What is known of the engine from its endpoint alone; describeEngine() asks the engine. */
  readonly engine: EngineInfo;
  /** Asks the engine what it is (Podman or Docker, rootless): `engine` refined. Never rejects. */
  describeEngine(): Promise<EngineInfo>;
  /** Maps any error of `api`/`streamingApi` to one clear line naming the endpoint. */
  explainError(e: unknown): CaptureError;
  dispose(): void;
}

/** The engine API itself, for code that drives containers (the helper-container backend). */
export interface DockerApis {
  /** dockerode for short requests (with a request timeout). */
  readonly api: Docker;
  /** dockerode for long-lived streams (attach, pull, events, wait): no request timeout. */
  readonly streamingApi: Docker;
}

/** Docker's own rule for container names (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`, optional leading `/`); ids and id prefixes fit it too. */
const CONTAINER_NAME_OR_ID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** Requests that take longer than this mean the daemon is not answering. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A client for the engine the user chose: an endpoint text (the setting, `-d`), or a
 * request naming an endpoint or a context; with nothing named, the environment decides
 * (DOCKER_HOST, DOCKER_CONTEXT, the current context, the default socket, Podman's).
 */
export function createDockerClient(choice?: string | EngineRequest, environment?: SelectionEnvironment): DockerClient {
  const request: EngineRequest = typeof choice === 'string' ? { endpoint: choice } : (choice ?? {});
  const selection = selectEngine(request, environment);
  return new DockerodeClient(selection);
}

class DockerodeClient implements DockerClient, DockerApis {
  readonly endpoint: string;
  readonly engine: EngineInfo;
  readonly api: Docker;
  readonly streamingApi: Docker;
  private readonly parsed: DockerEndpoint;
  private readonly agent: http.Agent | undefined;

  constructor(selection: EngineSelection) {
    this.parsed = selection.endpoint;
    this.endpoint = describeEndpoint(selection.endpoint);
    this.engine = selection.engine;
    const transport = transportFor(selection.endpoint, this.endpoint);
    this.agent = transport.agent;
    this.api = new Docker({ ...transport.options, timeout: REQUEST_TIMEOUT_MS } as Docker.DockerOptions);
    // Event streams are long-lived and idle for minutes: no request timeout there.
    this.streamingApi = new Docker(transport.options as Docker.DockerOptions);
  }

  async describeEngine(): Promise<EngineInfo> {
    const [version, info] = await Promise.all([this.api.version().catch(() => undefined), this.api.info().catch(() => undefined)]);
    const components = (version as { Components?: { Name?: string }[] } | undefined)?.Components ?? [];
    const podman = this.engine.podman || components.some((c) => /podman/i.test(c.Name ?? ''));
    if (!podman || this.engine.contextName) return { ...this.engine, podman };
    // A local socket says it by its owner; a remote engine's /info may list "rootless" among its security options.
    const security = (info as { SecurityOptions?: string[] } | undefined)?.SecurityOptions ?? [];
    const flavour = podmanFlavour(this.parsed) ?? (security.some((o) => o.includes('rootless')) ? 'rootless' : 'rootful');
    const description = this.parsed.kind === 'unix' ? `Podman (${flavour})` : `Podman (${flavour}) ${this.endpoint}`;
    return { ...this.engine, podman, description };
  }

  explainError(e: unknown): CaptureError {
    return explainConnectionError(e, this.parsed, this.endpoint);
  }

  dispose(): void {
    this.agent?.destroy();
  }

  async listContainers(): Promise<ContainerSummary[]> {
    let infos: Docker.ContainerInfo[];
    try {
      infos = await this.api.listContainers({ all: true });
    } catch (e) {
      throw this.translate(e, undefined);
    }
    return infos.map(toSummary);
  }

  async resolveContainer(nameOrId: string): Promise<ResolvedContainer> {
    // dockerode puts the name into the request path unescaped: `../version` or
    // `x?y` would reach another API endpoint, and a space or newline failed as
    // "Docker is not reachable". Anything Docker could not have named is
    // simply no such container (security review, issue 6).
    if (!CONTAINER_NAME_OR_ID.test(nameOrId)) {
      throw new CaptureError('no-such-container', `No such container: ${JSON.stringify(nameOrId.slice(0, 80))} (not a valid container name or id)`);
    }
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.api.getContainer(nameOrId).inspect();
    } catch (e) {
      throw this.translate(e, nameOrId);
    }
    const resolved = toResolved(info);
    if (!resolved.running || resolved.pid <= 0) {
      throw new CaptureError('container-not-running', `Container ${resolved.name} is not running (${info.State.Status}).`);
    }
    return resolved;
  }

  watchEvents(onEvent: (event: ContainerEvent) => void, onEnd?: (error?: Error) => void): DisposableLike {
    let disposed = false;
    let ended = false;
    let stream: NodeJS.ReadableStream | undefined;
    let socket: unknown;
    const end = (error?: Error): void => {
      if (ended || disposed) return;
      ended = true;
      // Over ssh, the child's exit status says why the stream died (a cut connection).
      const cause = sshFailureOf(socket);
      onEnd?.(cause ? this.explainError(cause) : error);
    };
    this.streamingApi
      .getEvents({ filters: { type: ['container'] } })
      .then((s) => {
        stream = s;
        // Kept now: the response lets go of its socket when it is destroyed.
        socket = (s as { socket?: unknown }).socket;
        if (disposed) return destroy(s);
        let pending = '';
        s.on('data', (chunk: Buffer | string) => {
          pending += chunk.toString();
          let newline: number;
          while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            const event = parseEventLine(line);
            if (event) onEvent(event);
          }
        });
        s.on('error', (e: Error) => end(e));
        s.on('end', () => end());
        s.on('close', () => end());
      })
      .catch((e: unknown) => end(this.translate(e, undefined)));
    return {
      dispose: () => {
        disposed = true;
        if (stream) destroy(stream);
      },
    };
  }

  /** Maps dockerode's errors to the codes the UI understands. */
  private translate(e: unknown, container: string | undefined): CaptureError {
    const err = e as { statusCode?: number };
    if (err.statusCode === 404 && container !== undefined) {
      return new CaptureError('no-such-container', `No such container: ${container}`);
    }
    return this.explainError(e);
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}

const KNOWN_STATES: readonly ContainerState[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function toState(state: string): ContainerState {
  return (KNOWN_STATES as readonly string[]).includes(state) ? (state as ContainerState) : 'exited';
}

function toNetworks(networks: Record<string, Docker.NetworkInfo | undefined> | undefined): ContainerNetwork[] {
  const out: ContainerNetwork[] = [];
  for (const [name, n] of Object.entries(networks ?? {})) {
    if (!n) continue;
    out.push({
      name,
      ...(n.IPAddress ? { ipv4: n.IPAddress } : {}),
      ...(n.GlobalIPv6Address ? { ipv6: n.GlobalIPv6Address } : {}),
      ...(n.MacAddress ? { mac: n.MacAddress.toLowerCase() } : {}),
    });
  }
  return out;
}

export function toSummary(info: Docker.ContainerInfo): ContainerSummary {
  const rawName = info.Names[0] ?? info.Id.slice(0, 12);
  return {
    id: info.Id,
    name: rawName.replace(/^\//, ''),
    image: info.Image,
    state: toState(info.State),
    status: info.Status,
    labels: info.Labels ?? {},
    networks: toNetworks(info.NetworkSettings?.Networks),
  };
}

export function toResolved(info: Docker.ContainerInspectInfo): ResolvedContainer {
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    pid: info.State.Pid,
    running: info.State.Running,
    networkMode: info.HostConfig.NetworkMode ?? 'default',
    networks: toNetworks(info.NetworkSettings.Networks as Record<string, Docker.NetworkInfo | undefined>),
  };
}

function parseEventLine(line: string): ContainerEvent | undefined {
  if (!line) return undefined;
  try {
    const raw = JSON.parse(line) as { Action?: string; status?: string; id?: string; Actor?: { ID?: string } };
    const action = raw.Action ?? raw.status;
    const id = raw.Actor?.ID ?? raw.id;
    return action && id ? { action, id } : undefined;
  } catch {
    return undefined;
  }
}
