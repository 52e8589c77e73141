/**
 * A small Docker client over dockerode, shared by the extension (container
 * tree, capture target) and the CLI. No `vscode` here.
 */
import Docker from 'dockerode';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import { chooseEndpoint, describeEndpoint, parseDockerEndpoint, type DockerEndpoint } from './dockerEndpoint';
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

export interface DockerClient {
  /** The endpoint in use, as text (for messages and logs). */
  readonly endpoint: string;
  listContainers(): Promise<ContainerSummary[]>;
  resolveContainer(nameOrId: string): Promise<ResolvedContainer>;
  /**
   * Streams container events. `onEnd` fires once when the stream ends or fails
   * (the daemon went away); the caller decides whether to watch again.
   */
  watchEvents(onEvent: (event: ContainerEvent) => void, onEnd?: (error?: Error) => void): DisposableLike;
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

export function createDockerClient(endpoint?: string): DockerClient & DockerApis {
  const text = chooseEndpoint(endpoint);
  const parsed = parseDockerEndpoint(text);
  return new DockerodeClient(parsed);
}

class DockerodeClient implements DockerClient, DockerApis {
  readonly endpoint: string;
  private readonly requests: Docker;
  /** Event streams are long-lived and idle for minutes: no request timeout there. */
  private readonly streams: Docker;

  get api(): Docker {
    return this.requests;
  }

  get streamingApi(): Docker {
    return this.streams;
  }

  constructor(parsed: DockerEndpoint) {
    this.endpoint = describeEndpoint(parsed);
    this.requests = new Docker({ ...dockerodeOptions(parsed), timeout: REQUEST_TIMEOUT_MS });
    this.streams = new Docker(dockerodeOptions(parsed));
  }

  async listContainers(): Promise<ContainerSummary[]> {
    let infos: Docker.ContainerInfo[];
    try {
      infos = await this.requests.listContainers({ all: true });
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
      info = await this.requests.getContainer(nameOrId).inspect();
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
    const end = (error?: Error): void => {
      if (ended || disposed) return;
      ended = true;
      onEnd?.(error);
    };
    this.streams
      .getEvents({ filters: { type: ['container'] } })
      .then((s) => {
        stream = s;
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
    if (isCaptureError(e)) return e;
    const err = e as { statusCode?: number; code?: string; message?: string };
    if (err.statusCode === 404 && container !== undefined) {
      return new CaptureError('no-such-container', `No such container: ${container}`);
    }
    const detail = err.code ?? err.message ?? String(e);
    return new CaptureError('docker-unreachable', `Docker is not reachable at ${this.endpoint} (${detail}).`);
  }
}

function dockerodeOptions(endpoint: DockerEndpoint): Docker.DockerOptions {
  switch (endpoint.kind) {
    case 'unix':
      return { socketPath: endpoint.socketPath };
    case 'tcp':
      return { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol };
    case 'ssh':
      return { host: endpoint.host, port: endpoint.port, protocol: 'ssh', ...(endpoint.username ? { username: endpoint.username } : {}) };
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
