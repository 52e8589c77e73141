/**
 * Podman engines for endpoint tests, each serving its Docker-compatible API on a socket:
 * rootful (storage and socket in a temp dir, so nothing lands in /var/lib/containers) and
 * rootless as a throw-away user (XDG_RUNTIME_DIR a 0700 dir it owns, storage in its home).
 * Both hold one running container made from the project's busybox image.
 *
 * Machine notes (found here): containers need `--ulimit nofile=…` and `--ulimit nproc=…`
 * within the VM's hard limits, or runc fails "error setting rlimit type 7/6"; vfs storage
 * and cgroupfs/file events, as there is no systemd. Rootless networking (slirp4netns)
 * needs /dev/net/tun usable by the user: it is crw------- root here, so it is opened up
 * for the test and its mode restored afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOCKER_HOST, IMAGE } from './dockerFixture';
import type { TestUser } from './endpointTestUser';

const COMMON = ['--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--events-backend=file'];
const SYSTEM_STORE = '/var/lib/containers';
export const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export interface PodmanEngine {
  socket: string;
  containerName: string;
  /** The podman CLI on this engine, as its user (set-up only). */
  podman(...args: string[]): string;
  /** Copies an image of the main Docker daemon into this engine (no registry here). */
  loadImage(image: string): void;
  stop(): Promise<void>;
}

interface Runner {
  /** argv prefix that runs podman as the engine's user with its options. */
  podman: string[];
  env: NodeJS.ProcessEnv;
}

function imageTar(image = IMAGE): Buffer {
  return execFileSync('docker', ['save', image], { env: { ...process.env, DOCKER_HOST }, maxBuffer: 256 << 20 });
}

async function serve(runner: Runner, socket: string, containerName: string, network: string[], cleanup: () => void): Promise<PodmanEngine> {
  const [file, ...args] = runner.podman as [string, ...string[]];
  const run = (...more: string[]): string => execFileSync(file, [...args, ...more], { env: runner.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 }).trim();
  let service: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    try {
      run('rm', '-f', '-t', '0', containerName);
    } catch {
      // not created
    }
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service?.once('exit', resolve));
      service.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    try {
      run('system', 'reset', '-f');
    } catch {
      // storage removed with its folder below
    }
    cleanup();
  };
  try {
    execFileSync(file, [...args, 'load', '-q'], { input: imageTar(), env: runner.env, stdio: ['pipe', 'ignore', 'pipe'], timeout: 120_000 });
    run('run', '-d', '--name', containerName, ...network, ...LIMITS, IMAGE, 'sleep', '600');
    service = spawn(file, [...args, 'system', 'service', '--time=0', `unix://${socket}`], { env: runner.env, stdio: 'ignore' });
    for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
    if (!fs.existsSync(socket)) throw new Error(`podman system service did not make ${socket}`);
  } catch (e) {
    await stop();
    throw e;
  }
  const loadImage = (image: string): void => {
    execFileSync(file, [...args, 'load', '-q'], { input: imageTar(image), env: runner.env, stdio: ['pipe', 'ignore', 'pipe'], timeout: 120_000 });
  };
  return { socket, containerName, podman: run, loadImage, stop };
}

/** Rootful Podman with everything in `dir`; the socket is `dir`/podman.sock. */
export function startRootfulPodman(dir: string, containerName: string): Promise<PodmanEngine> {
  const podman = ['podman', '--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), ...COMMON];
  // Even with --root, root's podman keeps a blob cache in /var/lib/containers/cache: removed again if this made it.
  const hadSystemStore = fs.existsSync(SYSTEM_STORE);
  return serve({ podman, env: process.env }, path.join(dir, 'podman.sock'), containerName, ['--network', 'none'], () => {
    if (!hadSystemStore) fs.rmSync(SYSTEM_STORE, { recursive: true, force: true });
  });
}

/**
 * Rootless Podman as `user`, serving at `runtimeDir`/podman/podman.sock (where the
 * discovery looks: $XDG_RUNTIME_DIR/podman/podman.sock). The container uses the default
 * rootless network (slirp4netns), which is what needs /dev/net/tun.
 */
export function startRootlessPodman(user: TestUser, runtimeDir: string, containerName: string): Promise<PodmanEngine> {
  fs.mkdirSync(runtimeDir, { mode: 0o700 });
  fs.chownSync(runtimeDir, user.uid, user.gid);
  fs.mkdirSync(path.join(runtimeDir, 'podman'), { mode: 0o700 });
  fs.chownSync(path.join(runtimeDir, 'podman'), user.uid, user.gid);
  const tunMode = fs.statSync('/dev/net/tun').mode & 0o7777;
  fs.chmodSync('/dev/net/tun', 0o666);
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: user.home, USER: user.name, XDG_RUNTIME_DIR: runtimeDir };
  const podman = ['runuser', '-u', user.name, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'podman', ...COMMON];
  return serve({ podman, env: process.env }, path.join(runtimeDir, 'podman', 'podman.sock'), containerName, [], () => {
    fs.chmodSync('/dev/net/tun', tunMode);
    fs.rmSync(runtimeDir, { recursive: true, force: true });
  });
}
