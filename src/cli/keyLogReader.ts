/**
 * The CLI's key log reader: with --tls-keylog as root, the one process that reads the key
 * log, started by the root CLI through setpriv as the user who ran sudo (their uid, gid and
 * groups; no_new_privs; no capabilities, not even in the bounding set). So the file is read
 * with that user's rights, not root's, and a `container:NAME:PATH` key log comes through that
 * user's own Docker connection: neither the root CLI (which closed its Docker connections
 * before starting the helper) nor the confined printer (nobody) ever holds one.
 *
 *   stdin:  one line of JSON (ReaderConfig), later a line `go`; its end means "stop"
 *           (the CLI that holds it exited)
 *   fd 3:   `OK` once the key log was read the first time, then closed: the root CLI
 *           starts capturing only then, so a missing key log stops it with its reason
 *   stdout: after `go`, the key log text (the whole, then what is appended, polled every
 *           second), NUL after the first whole: the printer reads that much before any packet
 *   stderr: the user's, for warnings
 */
import { closeSync, writeSync } from 'node:fs';
import { createDockerClient } from '../client/dockerClient';
import { openKeyLogSource } from '../client/tls/keyLogSource';
import type { KeyLogSpec } from '../client/tls/keyLogSpec';
import { PROGRAM } from './cliOutput';

/** The hidden argument that makes dist/cli.js the key log reader. */
export const KEY_LOG_READER_ARGUMENT = '--read-tls-keylog';

/** The reader's status pipe (see above). */
export const READER_STATUS_FD = 3;

export interface ReaderConfig {
  spec: KeyLogSpec;
  docker?: string;
  context?: string;
}

const POLL_MS = 1000;

function parseReaderConfig(line: string): ReaderConfig {
  const raw = JSON.parse(line) as ReaderConfig;
  const spec = raw?.spec;
  const ok = spec && typeof spec.path === 'string' && (spec.kind === 'file' || (spec.kind === 'container' && typeof spec.container === 'string'));
  if (!ok || (raw.docker !== undefined && typeof raw.docker !== 'string') || (raw.context !== undefined && typeof raw.context !== 'string')) {
    throw new Error('the key log reader got no valid configuration');
  }
  return raw;
}

/** Lines of stdin, one at a time; `undefined` at its end. */
function stdinLines(): () => Promise<string | undefined> {
  let buffered = '';
  let ended = false;
  let waiter: (() => void) | undefined;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (t: string) => {
    buffered += t;
    waiter?.();
  });
  process.stdin.on('end', () => {
    ended = true;
    waiter?.();
  });
  process.stdin.on('error', () => {
    ended = true;
    waiter?.();
  });
  return async () => {
    for (;;) {
      const nl = buffered.indexOf('\n');
      if (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        return line;
      }
      if (ended) return undefined;
      await new Promise<void>((r) => (waiter = r));
      waiter = undefined;
    }
  };
}

/** Writes all of `bytes` to stdout, waiting while the pipe is full; false once the printer is gone. */
function writeAll(bytes: Buffer): boolean {
  let at = 0;
  let waits = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(1, bytes, at);
    } catch (err) {
      // EAGAIN: the printer is busy; anything else: it is gone.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++waits > 6000) return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  return true;
}

export async function runKeyLogReader(): Promise<number> {
  process.title = 'dnc-cli-keylog';
  // Ctrl-C reaches the whole process group: this process stops when its stdin ends instead.
  for (const sig of ['SIGINT', 'SIGHUP'] as const) process.on(sig, () => undefined);
  const warn = (m: string): void => void process.stderr.write(`${PROGRAM}: warning: ${m}\n`);
  const nextLine = stdinLines();
  const config = parseReaderConfig((await nextLine()) ?? '');
  const source = openKeyLogSource(config.spec, () => createDockerClient({ endpoint: config.docker, context: config.context }));
  let text: string;
  try {
    text = await source.read();
  } catch (err) {
    process.stderr.write(`${PROGRAM}: error: ${(err as Error).message}\n`);
    return 1;
  }
  writeSync(READER_STATUS_FD, 'OK');
  closeSync(READER_STATUS_FD);
  if ((await nextLine()) !== 'go') return 0; // the capture did not start
  let stopped = false;
  // NUL is the snapshot marker: it never belongs to a key log.
  const write = (t: string): boolean => writeAll(Buffer.from(t === '\0' ? t : t.replaceAll('\0', ''), 'utf8'));
  write(text);
  write('\0');
  let consumed = text;
  // The CLI that holds stdin exited: stop now, not at the next poll.
  void nextLine().then(() => {
    stopped = true;
    source.close();
    process.exit(0);
  });
  let lastError = '';
  while (!stopped) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (stopped) break;
    try {
      const now = await source.read();
      lastError = '';
      // A key log only grows; if it was replaced, send it whole again (same keys are harmless).
      const added = now.startsWith(consumed) ? now.slice(consumed.length) : now;
      consumed = now;
      if (added !== '' && !write(added)) break;
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) warn(message);
      lastError = message;
    }
  }
  source.close();
  return 0;
}
