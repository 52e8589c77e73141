/**
 * Which Docker engine to talk to, with the docker CLI's precedence:
 *   a context or an endpoint named explicitly (CLI `--context`/`-d`, the settings)
 *   > DOCKER_HOST > DOCKER_CONTEXT > config.json's currentContext > the default socket.
 * The default socket is Docker's; when it is absent, Podman's Docker-compatible socket
 * (rootful, then the user's rootless one) is used instead.
 * Everything the choice depends on comes in as parameters, so tests can point it at
 * real sockets and config folders in temp dirs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CaptureError } from '../protocol/captureErrors';
import { DEFAULT_CONTEXT, currentContextName, dockerConfigDir, readContext } from './dockerContexts';
import { DEFAULT_DOCKER_SOCKET, describeEndpoint, isLocalEndpoint, parseDockerEndpoint, type DockerEndpoint } from './dockerEndpoint';

/** What the other parts of the extension/CLI know about the engine in use. */
export interface EngineInfo {
  kind: 'unix' | 'tcp' | 'ssh';
  /** The engine's host is this machine: a unix socket, or tcp to loopback. False for ssh, even to 127.0.0.1. */
  local: boolean;
  /** Podman's Docker-compatible API: known from the socket path, or from /version (describeEngine). */
  podman: boolean;
  contextName?: string;
  /** For the view and messages, e.g. "context prod (ssh://me@host)" or "Podman (rootless)". */
  description: string;
}

export interface EngineRequest {
  /** An endpoint named explicitly: the `dockerHost` setting, the CLI's `-d`. */
  endpoint?: string;
  /** A context named explicitly: the `dockerContext` setting, the CLI's `--context`. */
  context?: string;
}

export interface EngineSelection {
  endpoint: DockerEndpoint;
  engine: EngineInfo;
}

export interface SelectionEnvironment {
  env: NodeJS.ProcessEnv;
  /** DOCKER_CONFIG or ~/.docker. */
  configDir: string;
  /** Sockets tried, in order, when nothing names an endpoint. */
  defaultSockets: readonly string[];
  socketExists: (socketPath: string) => boolean;
}

export const ROOTFUL_PODMAN_SOCKET = '/run/podman/podman.sock';

/** Docker's socket, then rootful Podman's, then the user's rootless Podman's. */
export function defaultSocketCandidates(env: NodeJS.ProcessEnv): string[] {
  const candidates = [DEFAULT_DOCKER_SOCKET, ROOTFUL_PODMAN_SOCKET];
  const runtimeDir = env.XDG_RUNTIME_DIR?.trim();
  if (runtimeDir && path.isAbsolute(runtimeDir)) candidates.push(path.join(runtimeDir, 'podman', 'podman.sock'));
  else if (typeof process.getuid === 'function') candidates.push(`/run/user/${process.getuid()}/podman/podman.sock`);
  return candidates;
}

export function systemSelectionEnvironment(env: NodeJS.ProcessEnv = process.env): SelectionEnvironment {
  return { env, configDir: dockerConfigDir(env), defaultSockets: defaultSocketCandidates(env), socketExists: isSocket };
}

export function selectEngine(request: EngineRequest, environment: SelectionEnvironment = systemSelectionEnvironment()): EngineSelection {
  const explicitEndpoint = request.endpoint?.trim();
  const explicitContext = request.context?.trim();
  const { env } = environment;
  if (explicitEndpoint && explicitContext) {
    throw new CaptureError('docker-unreachable', `Both a Docker endpoint (${explicitEndpoint}) and a context (${explicitContext}) are set: keep one (the docker CLI refuses -H with --context too).`);
  }
  if (explicitEndpoint) return fromEndpoint(parseDockerEndpoint(explicitEndpoint, env));
  if (explicitContext) return fromContext(explicitContext, environment);
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) return fromEndpoint(parseDockerEndpoint(fromEnv, env));
  const envContext = env.DOCKER_CONTEXT?.trim();
  if (envContext) return fromContext(envContext, environment);
  const current = currentContextName(environment.configDir);
  if (current) return fromContext(current, environment);
  return defaultSocket(environment);
}

function fromContext(name: string, environment: SelectionEnvironment): EngineSelection {
  // "default" is DOCKER_HOST, else the default socket (it has no files of its own).
  if (name === DEFAULT_CONTEXT) {
    const fromEnv = environment.env.DOCKER_HOST?.trim();
    const selection = fromEnv ? fromEndpoint(parseDockerEndpoint(fromEnv, environment.env)) : defaultSocket(environment);
    return { endpoint: selection.endpoint, engine: { ...selection.engine, contextName: DEFAULT_CONTEXT } };
  }
  const context = readContext(name, environment.configDir);
  const base = fromEndpoint(context.endpoint);
  return {
    endpoint: context.endpoint,
    engine: { ...base.engine, contextName: context.name, description: `context ${context.name} (${describeEndpoint(context.endpoint)})` },
  };
}

function defaultSocket(environment: SelectionEnvironment): EngineSelection {
  const found = environment.defaultSockets.find((s) => environment.socketExists(s)) ?? DEFAULT_DOCKER_SOCKET;
  return fromEndpoint({ kind: 'unix', socketPath: found });
}

function fromEndpoint(endpoint: DockerEndpoint): EngineSelection {
  const podman = podmanFlavour(endpoint);
  return {
    endpoint,
    engine: {
      kind: endpoint.kind,
      local: isLocalEndpoint(endpoint),
      podman: podman !== undefined,
      description: podman ? `Podman (${podman})` : describeEndpoint(endpoint),
    },
  };
}

/** Podman's sockets are named podman.sock; a rootless one belongs to its user, a rootful one to root. */
export function podmanFlavour(endpoint: DockerEndpoint): 'rootful' | 'rootless' | undefined {
  if (endpoint.kind !== 'unix' || path.basename(endpoint.socketPath) !== 'podman.sock') return undefined;
  if (endpoint.socketPath === ROOTFUL_PODMAN_SOCKET) return 'rootful';
  try {
    return fs.statSync(endpoint.socketPath).uid === 0 ? 'rootful' : 'rootless';
  } catch {
    return endpoint.socketPath.startsWith('/run/user/') ? 'rootless' : 'rootful';
  }
}

function isSocket(socketPath: string): boolean {
  try {
    return fs.statSync(socketPath).isSocket();
  } catch {
    return false;
  }
}
