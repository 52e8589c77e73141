/**
 * Where a TLS key log is read from: a file on this machine, or a file inside a container
 * (`container:NAME:/path`), read through the Docker API's archive endpoint so nothing has to
 * be copied by hand. Both are opened before the CLI drops root: the file's descriptor, and a
 * kept-alive connection to the Docker socket, stay usable afterwards for re-reading during a
 * live capture (a new connection as nobody would be refused).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Agent } from 'node:http';
import Docker from 'dockerode';
import { chooseEndpoint, parseDockerEndpoint } from '../dockerEndpoint';
import { firstFileInTar } from './tarFile';

/** Larger than any real key log; a bigger file is not read (it is not a key log). */
const MAX_KEY_LOG_BYTES = 64 * 1024 * 1024;

export type KeyLogSpec = { kind: 'file'; path: string } | { kind: 'container'; container: string; path: string };

export class KeyLogSpecError extends Error {}

/** `FILE` or `container:NAME:/absolute/path`. */
export function parseKeyLogSpec(text: string): KeyLogSpec {
  if (text === '') throw new KeyLogSpecError('--tls-keylog needs a file or container:NAME:/path');
  if (!text.startsWith('container:')) return { kind: 'file', path: text };
  const rest = text.slice('container:'.length);
  const colon = rest.indexOf(':');
  const container = colon > 0 ? rest.slice(0, colon) : '';
  const path = colon > 0 ? rest.slice(colon + 1) : '';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(container) || !path.startsWith('/')) {
    throw new KeyLogSpecError(`--tls-keylog ${JSON.stringify(text.slice(0, 80))}: expected container:NAME:/absolute/path`);
  }
  return { kind: 'container', container, path };
}

export interface KeyLogSource {
  /** For messages: the file, or `container NAME:/path`. */
  readonly label: string;
  /** The key log's whole current text. Rejects with a one-line reason. */
  read(): Promise<string>;
  close(): void;
}

class FileKeyLogSource implements KeyLogSource {
  private readonly fd: number;
  constructor(readonly label: string) {
    try {
      this.fd = openSync(label, 'r');
    } catch (error) {
      throw new KeyLogSpecError(`cannot read the TLS key log ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  read(): Promise<string> {
    const size = fstatSync(this.fd).size;
    if (size > MAX_KEY_LOG_BYTES) return Promise.reject(new Error(`${this.label} is larger than ${MAX_KEY_LOG_BYTES} bytes: not a key log`));
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const n = readSync(this.fd, buffer, filled, size - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return Promise.resolve(buffer.subarray(0, filled).toString('utf8'));
  }

  close(): void {
    closeSync(this.fd);
  }
}

class ContainerKeyLogSource implements KeyLogSource {
  readonly label: string;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly docker: Docker;

  constructor(private readonly spec: { container: string; path: string }, dockerEndpoint: string | undefined) {
    this.label = `container ${spec.container}:${spec.path}`;
    const endpoint = parseDockerEndpoint(chooseEndpoint(dockerEndpoint));
    const options: Docker.DockerOptions =
      endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath }
      : endpoint.kind === 'tcp' ? { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol }
      : { host: endpoint.host, port: endpoint.port, protocol: 'ssh', ...(endpoint.username ? { username: endpoint.username } : {}) };
    // docker-modem passes `agent` to its HTTP requests; its typings do not list it.
    this.docker = new Docker({ ...options, ...(endpoint.kind === 'ssh' ? {} : { agent: this.agent }), timeout: 15_000 } as Docker.DockerOptions);
  }

  async read(): Promise<string> {
    let archive: Buffer;
    try {
      const stream = await this.docker.getContainer(this.spec.container).getArchive({ path: this.spec.path });
      archive = await collect(stream);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const why = status === 404 ? 'no such container or file' : (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
      throw new Error(`cannot read the TLS key log from ${this.label}: ${why}`);
    }
    const file = firstFileInTar(archive);
    if (!file) throw new Error(`cannot read the TLS key log from ${this.label}: not a regular file`);
    return Buffer.from(file).toString('utf8');
  }

  close(): void {
    this.agent.destroy();
  }
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_KEY_LOG_BYTES + 1024 * 1024) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(new Error(`larger than ${MAX_KEY_LOG_BYTES} bytes: not a key log`));
        return;
      }
      chunks.push(c);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Opens the source now (a file is opened at once, so a missing file is reported before capturing). */
export function openKeyLogSource(spec: KeyLogSpec, dockerEndpoint?: string): KeyLogSource {
  return spec.kind === 'file' ? new FileKeyLogSource(spec.path) : new ContainerKeyLogSource(spec, dockerEndpoint);
}
