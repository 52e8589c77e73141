/**
 * Where the Docker API lives: the user's setting (the CLI's `-d`), else
 * `DOCKER_HOST`, else the default socket. Parsed here rather than left to
 * docker-modem so an explicit endpoint never silently falls back to another one.
 */
import { CaptureError } from '../protocol/captureErrors';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; protocol: 'http' | 'https' }
  | { kind: 'ssh'; host: string; port: number; username?: string };

/**
 * Picks the endpoint text: an explicit value wins, then `DOCKER_HOST`, then the
 * default socket. Blank strings count as "not set".
 */
export function chooseEndpoint(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromSetting = explicit?.trim();
  if (fromSetting) return fromSetting;
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) return fromEnv;
  return `unix://${DEFAULT_DOCKER_SOCKET}`;
}

/**
 * Parses `unix:///path`, a bare `/path`, `tcp://host:port`, `host:port` and
 * `ssh://user@host[:port]`. TLS is used for tcp when the port is 2376 or
 * `DOCKER_TLS_VERIFY=1`, as the docker CLI does.
 */
export function parseDockerEndpoint(text: string, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const value = text.trim();
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value };
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalid(value, 'a unix endpoint needs an absolute socket path');
    return { kind: 'unix', socketPath };
  }
  const withScheme = value.includes('://') ? value : `tcp://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid(value, 'expected unix:///path, tcp://host:port or ssh://user@host');
  }
  if (!url.hostname) throw invalid(value, 'the endpoint has no host');
  switch (url.protocol) {
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 2376 : 2375;
      const tls = url.protocol === 'https:' || port === 2376 || env.DOCKER_TLS_VERIFY === '1';
      return { kind: 'tcp', host: url.hostname, port, protocol: tls ? 'https' : 'http' };
    }
    case 'ssh:':
      return {
        kind: 'ssh',
        host: url.hostname,
        port: url.port ? Number(url.port) : 22,
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      };
    default:
      throw invalid(value, `unsupported scheme ${url.protocol.replace(':', '')}`);
  }
}

/** The endpoint as a user would write it, for messages. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'tcp':
      return `tcp://${endpoint.host}:${endpoint.port}`;
    case 'ssh':
      return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host}:${endpoint.port}`;
  }
}

function invalid(text: string, why: string): CaptureError {
  return new CaptureError('docker-unreachable', `Invalid Docker endpoint "${text}": ${why}`);
}
