/**
 * Parses a Docker endpoint as the docker CLI writes it (`unix:///path`, `tcp://host:port`,
 * `ssh://user@host[:port]`). Parsed here rather than left to docker-modem, which also reads
 * `DOCKER_HOST` and `DOCKER_CERT_PATH` by itself: an endpoint chosen by the user or by a
 * context must never silently mix with the environment's. Which endpoint is used (setting,
 * context, `DOCKER_HOST`, default socket) is decided in dockerEngineSelection.ts.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureError } from '../protocol/captureErrors';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Where the TLS files of a tcp endpoint are; loaded (and checked) by dockerTls.ts. */
export interface TlsFiles {
  caPath: string;
  certPath: string;
  keyPath: string;
  /** Verify the daemon's certificate against caPath (`DOCKER_TLS_VERIFY`, a context without SkipTLSVerify). */
  verify: boolean;
  /** Where the files came from, for error messages (e.g. "DOCKER_CERT_PATH", "context prod"). */
  origin: string;
}

export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; protocol: 'http' | 'https'; tls?: TlsFiles }
  /** No port and no user: ssh's own config (`~/.ssh/config`) decides, as with the docker CLI. */
  | { kind: 'ssh'; host: string; port?: number; username?: string };

/**
 * Picks the endpoint text: an explicit value wins, then `DOCKER_HOST`, then the
 * default socket. Blank strings count as "not set". (Contexts: see selectEngine.)
 */
export function chooseEndpoint(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromSetting = explicit?.trim();
  if (fromSetting) return fromSetting;
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) return fromEnv;
  return `unix://${DEFAULT_DOCKER_SOCKET}`;
}

/**
 * TLS for tcp as the docker CLI does it from the environment: `DOCKER_TLS_VERIFY` (any
 * non-empty value) turns TLS and verification on; the files are ca.pem, cert.pem and
 * key.pem in `DOCKER_CERT_PATH`, else in ~/.docker. Port 2376 and `https://` mean TLS too.
 */
export function tlsFromEnvironment(env: NodeJS.ProcessEnv, homeDir: string = os.homedir()): TlsFiles {
  const fromEnv = env.DOCKER_CERT_PATH?.trim();
  const dir = fromEnv || path.join(homeDir, '.docker');
  return {
    caPath: path.join(dir, 'ca.pem'),
    certPath: path.join(dir, 'cert.pem'),
    keyPath: path.join(dir, 'key.pem'),
    verify: Boolean(env.DOCKER_TLS_VERIFY?.trim()),
    origin: fromEnv ? `DOCKER_CERT_PATH (${dir})` : dir,
  };
}

/**
 * Parses `unix:///path`, a bare `/path`, `tcp://host:port`, `host:port` and
 * `ssh://user@host[:port]`. `env` supplies the TLS settings of tcp endpoints; pass `{}`
 * for an endpoint whose TLS comes from elsewhere (a context).
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
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  switch (url.protocol) {
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 2376 : 2375;
      const envTls = tlsFromEnvironment(env);
      const tls = url.protocol === 'https:' || port === 2376 || envTls.verify;
      if (!tls) return { kind: 'tcp', host, port, protocol: 'http' };
      // Without DOCKER_CERT_PATH or DOCKER_TLS_VERIFY there is nothing to load: plain TLS.
      const hasTlsSettings = envTls.verify || Boolean(env.DOCKER_CERT_PATH?.trim());
      return { kind: 'tcp', host, port, protocol: 'https', ...(hasTlsSettings ? { tls: envTls } : {}) };
    }
    case 'ssh:': {
      const username = url.username ? decodeURIComponent(url.username) : undefined;
      // ssh must never read the host or user as one of its options (`-oProxyCommand=…`).
      if (host.startsWith('-')) throw invalid(value, 'an ssh host cannot start with "-"');
      if (username !== undefined && (username.startsWith('-') || /[\s\0]/.test(username))) throw invalid(value, 'not a valid ssh user name');
      if (url.pathname && url.pathname !== '/') throw invalid(value, 'an ssh endpoint has no path');
      return {
        kind: 'ssh',
        host,
        ...(url.port ? { port: Number(url.port) } : {}),
        ...(username ? { username } : {}),
      };
    }
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
      return `tcp://${hostPart(endpoint.host)}:${endpoint.port}`;
    case 'ssh':
      return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${hostPart(endpoint.host)}${endpoint.port ? `:${endpoint.port}` : ''}`;
  }
}

/** True when the engine's host is this machine: a socket, or tcp to loopback. Never ssh (another sshd may sit behind 127.0.0.1). */
export function isLocalEndpoint(endpoint: DockerEndpoint): boolean {
  switch (endpoint.kind) {
    case 'unix':
      return true;
    case 'tcp':
      return endpoint.host === 'localhost' || endpoint.host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(endpoint.host);
    case 'ssh':
      return false;
  }
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function invalid(text: string, why: string): CaptureError {
  return new CaptureError('docker-unreachable', `Invalid Docker endpoint "${text}": ${why}`);
}
