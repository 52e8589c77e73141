/**
 * Where a TLS key log is read from: a file on this machine, or a file inside a container
 * (`container:NAME:/path`), read through the Docker API's archive endpoint
 * (GET /containers/{id}/archive, a tar of the one file): no exec, so an image without `cat`
 * works too, and nothing has to be copied by hand.
 *
 * This runs in a process of the user's own (the CLI's key log reader, keyLogReader.ts, or the
 * extension host), never in a root process or in the confined printer: the file is read with
 * the user's rights and the Docker connection is the user's.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type Docker from 'dockerode';
import { keyLogLabel, KeyLogSpecError, type KeyLogSpec } from './keyLogSpec';
import { firstFileInTar } from './tarFile';

export { parseKeyLogSpec, KeyLogSpecError, type KeyLogSpec } from './keyLogSpec';

/** Larger than any real key log; a bigger file is not read (it is not a key log). */
const MAX_KEY_LOG_BYTES = 64 * 1024 * 1024;

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

  constructor(
    private readonly spec: { container: string; path: string },
    private readonly docker: { api: Docker; dispose(): void },
  ) {
    this.label = keyLogLabel({ kind: 'container', ...spec });
  }

  async read(): Promise<string> {
    let archive: Buffer;
    try {
      const stream = await this.docker.api.getContainer(this.spec.container).getArchive({ path: this.spec.path });
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
    this.docker.dispose();
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

/**
 * Opens the source now (a file is opened at once, so a missing file is reported before
 * capturing). A container source needs a Docker client, which it disposes on close.
 */
export function openKeyLogSource(spec: KeyLogSpec, docker?: () => { api: Docker; dispose(): void }): KeyLogSource {
  if (spec.kind === 'file') return new FileKeyLogSource(spec.path);
  if (!docker) throw new KeyLogSpecError(`${keyLogLabel(spec)}: no Docker engine to read it from`);
  return new ContainerKeyLogSource(spec, docker());
}
