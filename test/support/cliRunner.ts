/**
 * Runs the built CLI (dist/cli.js) as a user would, and waits until its capture
 * is really listening (the --verbose line the CLI prints after its privilege drop)
 * before the test makes traffic.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { DOCKER_HOST, REPO } from './dockerFixture';
import { run, type RunResult } from './runCommand';

export const CLI = join(REPO, 'dist', 'cli.js');

export interface RunningCli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the CLI exits. */
  exit: Promise<number | null>;
  /** Resolves once the capture is listening; rejects if the CLI exits first. */
  listening: Promise<void>;
  /** SIGINT, as Ctrl-C would; resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

/**
 * `listening` resolves on `listeningLine` on stderr: by default the line the CLI prints
 * once it dropped root; a capture through helper containers says `capturing NAME, ...`.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, listeningLine = /^docker-network-capture: capturing on .*privileges dropped/m): RunningCli {
  const child = spawn(process.execPath, [CLI, '--verbose', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DOCKER_HOST, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      // The CLI's own line, printed once it dropped root (the helper's log says
      // "privileges dropped" too, earlier, about itself).
      if (listeningLine.test(err)) resolve();
    };
    child.stderr.on('data', check);
    void exit.then((code) => reject(new Error(`CLI exited (${String(code)}) before listening: ${err}`)));
  });
  listening.catch(() => undefined);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    listening,
    interrupt: async () => {
      child.kill('SIGINT');
      return exit;
    },
  };
}

/** Runs the CLI to completion (for error cases and -r). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<RunResult> {
  return run([process.execPath, CLI, ...args], { ...process.env, DOCKER_HOST, ...env }, timeoutMs);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
