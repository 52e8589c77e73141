/**
 * Docker contexts, read the way the docker CLI stores them: in the config folder
 * (`DOCKER_CONFIG`, else ~/.docker) `config.json` names the current context, and each
 * context lives in `contexts/meta/<sha256(name)>/meta.json` with its TLS files in
 * `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem`. Read only: choosing a context
 * here never rewrites the user's docker configuration.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureError } from '../protocol/captureErrors';
import { parseDockerEndpoint, type DockerEndpoint } from './dockerEndpoint';

/** The context that means "DOCKER_HOST, else the default socket"; it has no files. */
export const DEFAULT_CONTEXT = 'default';

/** The docker CLI's rule for context names; anything else cannot be a context. */
const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

export interface DockerContext {
  name: string;
  /** `Endpoints.docker.Host` as written, e.g. `ssh://me@host`. */
  host: string;
  endpoint: DockerEndpoint;
  description?: string;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env, homeDir: string = os.homedir()): string {
  return env.DOCKER_CONFIG?.trim() || path.join(homeDir, '.docker');
}

/** The folder name the docker CLI gives a context: the hex sha256 of its name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** `currentContext` of config.json, or undefined (no file, no field, unreadable). */
export function currentContextName(configDir: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(configDir, 'config.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const config = JSON.parse(text) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' && config.currentContext.trim() ? config.currentContext.trim() : undefined;
  } catch {
    throw new CaptureError('docker-unreachable', `${path.join(configDir, 'config.json')} is not valid JSON: fix it or remove its currentContext`);
  }
}

/** Reads one context; a clear error when it does not exist or is damaged. Not for "default". */
export function readContext(name: string, configDir: string): DockerContext {
  if (!CONTEXT_NAME.test(name)) throw contextError(name, 'is not a valid context name');
  const metaFile = path.join(configDir, 'contexts', 'meta', contextDirName(name), 'meta.json');
  let text: string;
  try {
    text = fs.readFileSync(metaFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw contextError(name, `does not exist (no ${metaFile}); \`docker context ls\` lists the contexts`);
    throw contextError(name, `cannot be read (${metaFile}: ${code ?? String(e)})`);
  }
  return contextFromMeta(text, metaFile, configDir, name);
}

/** Every context in the config folder, sorted by name (damaged ones left out). */
export function listContexts(configDir: string): DockerContext[] {
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  let dirs: string[];
  try {
    dirs = fs.readdirSync(metaRoot);
  } catch {
    return [];
  }
  const out: DockerContext[] = [];
  for (const dir of dirs) {
    const metaFile = path.join(metaRoot, dir, 'meta.json');
    try {
      const context = contextFromMeta(fs.readFileSync(metaFile, 'utf8'), metaFile, configDir, undefined);
      // A folder that is not the hash of the name inside is not where the CLI would look.
      if (contextDirName(context.name) === dir) out.push(context);
    } catch {
      // not a context the docker CLI could use either
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

interface ContextMeta {
  Name?: unknown;
  Metadata?: { Description?: unknown };
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
}

function contextFromMeta(text: string, metaFile: string, configDir: string, expectedName: string | undefined): DockerContext {
  let meta: ContextMeta;
  try {
    meta = JSON.parse(text) as ContextMeta;
  } catch {
    throw contextError(expectedName ?? metaFile, `is damaged (${metaFile} is not valid JSON)`);
  }
  const name = typeof meta.Name === 'string' ? meta.Name : expectedName;
  if (!name || !CONTEXT_NAME.test(name)) throw contextError(expectedName ?? metaFile, `has no valid Name in ${metaFile}`);
  const host = meta.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || !host.trim()) throw contextError(name, `has no Docker endpoint (Endpoints.docker.Host in ${metaFile})`);
  const endpoint = parseDockerEndpoint(host, {});
  const description = typeof meta.Metadata?.Description === 'string' && meta.Metadata.Description ? meta.Metadata.Description : undefined;
  return { name, host: host.trim(), endpoint: withContextTls(endpoint, name, configDir, meta.Endpoints?.docker?.SkipTLSVerify === true), ...(description ? { description } : {}) };
}

/**
 * A tcp context uses TLS when the context has TLS files (`docker context create
 * --docker "host=…,ca=…,cert=…,key=…"` stores them) or its port is 2376.
 */
function withContextTls(endpoint: DockerEndpoint, name: string, configDir: string, skipVerify: boolean): DockerEndpoint {
  if (endpoint.kind !== 'tcp') return endpoint;
  const tlsDir = path.join(configDir, 'contexts', 'tls', contextDirName(name), 'docker');
  const hasFiles = fs.existsSync(tlsDir);
  if (!hasFiles && endpoint.protocol === 'http') return endpoint;
  return {
    ...endpoint,
    protocol: 'https',
    tls: {
      caPath: path.join(tlsDir, 'ca.pem'),
      certPath: path.join(tlsDir, 'cert.pem'),
      keyPath: path.join(tlsDir, 'key.pem'),
      verify: !skipVerify,
      origin: `context ${name} (${tlsDir})`,
    },
  };
}

function contextError(name: string, why: string): CaptureError {
  return new CaptureError('docker-unreachable', `Docker context "${name.slice(0, 80)}" ${why}.`);
}
