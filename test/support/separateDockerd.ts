/**
 * A SEPARATE small dockerd for tests that stop and restart the engine (the shared
 * private daemon serves every other suite): its own network namespace, data and exec
 * roots, no bridge (~1 s to start), with the images a test needs copied in from the
 * shared daemon. Stopping it stops its containers, as a real engine restart does.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { DOCKER_HOST } from './dockerFixture';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SeparateDockerd {
  /** DOCKER_HOST of this daemon. */
  readonly host: string;
  /** The docker CLI against this daemon; trimmed stdout. */
  docker(...args: string[]): string;
  start(): Promise<void>;
  /** SIGTERM, then waits (bounded) until the daemon is gone. */
  stop(): Promise<void>;
  /** Removes `containers`, stops the daemon and deletes its folder. */
  dispose(...containers: string[]): Promise<void>;
}

/** Starts the daemon and loads `images` into it from the shared one. */
export async function startSeparateDockerd(images: string[]): Promise<SeparateDockerd> {
  // Short: containerd's sockets live under the exec root (108-byte limit for socket paths).
  const dir = mkdtempSync('/tmp/dnc-sd-');
  mkdirSync(`${dir}/data`);
  mkdirSync(`${dir}/exec`);
  const host = `unix://${dir}/docker.sock`;
  const docker = (...args: string[]): string => execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  const start = async (): Promise<void> => {
    // Its own network namespace: a second dockerd started with --bridge=none
    // deletes the host's docker0 on start-up, which would take the shared
    // private daemon's default bridge away from every other suite.
    const child = spawn(
      'unshare',
      ['--net', '--', 'dockerd', '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false', '--bridge=none', '--storage-driver=vfs',
        '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '-H', host, '--pidfile', `${dir}/docker.pid`],
      { stdio: 'ignore', detached: true },
    );
    child.unref();
    for (let i = 0; i < 100; i++) {
      try {
        docker('version');
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('the separate dockerd did not start');
  };

  const stop = async (): Promise<void> => {
    const pidFile = `${dir}/docker.pid`;
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 150 && existsSync(`/proc/${pid}`); i++) await sleep(100);
  };

  const dispose = async (...containers: string[]): Promise<void> => {
    if (containers.length > 0) {
      try {
        docker('rm', '-f', ...containers);
      } catch {
        // gone with the daemon
      }
    }
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await start();
    execFileSync('sh', ['-c', 'docker save "$@" | DOCKER_HOST="$TARGET" docker load -q', 'sh', ...images], { env: { ...process.env, DOCKER_HOST, TARGET: host }, stdio: 'ignore', timeout: 120_000 });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { host, docker, start, stop, dispose };
}
