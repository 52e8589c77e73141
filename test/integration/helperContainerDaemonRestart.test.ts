/**
 * The Docker engine restarts during a helper-container capture. The shared
 * private daemon serves other suites, so this starts a SEPARATE small dockerd
 * in its own network namespace (the pattern of test/security/daemonRestart),
 * with the busybox and helper images loaded into it. The capture ends clearly
 * and keeps its frames; once the engine is back no helper container is left,
 * and the same target captures again.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DOCKER_HOST, ensureDaemon, IMAGE } from '../support/dockerFixture';
import { ensureHelperImages, helperContainers, HELPER_IMAGE } from '../support/helperContainerFixture';
import { recordContainerCapture } from '../support/containerCaptureRecorder';

const CONTAINER = 'dnc-h5-daemon-victim';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('helper-container backend: the engine restarts mid-capture (separate dockerd)', { timeout: 180_000 }, () => {
  let dir: string;
  let host: string;
  const docker = (...args: string[]): string => execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  async function startDaemon(): Promise<void> {
    // Its own network namespace: a second dockerd with --bridge=none would
    // otherwise delete the host's docker0 that the shared daemon uses.
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
  }

  async function stopDaemon(): Promise<void> {
    const pidFile = `${dir}/docker.pid`;
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 150 && existsSync(`/proc/${pid}`); i++) await sleep(100);
  }

  before(async () => {
    ensureDaemon();
    ensureHelperImages();
    // Short: containerd's sockets live under the exec root (108-byte limit for socket paths).
    dir = mkdtempSync('/tmp/dnc-h5d-');
    mkdirSync(`${dir}/data`);
    mkdirSync(`${dir}/exec`);
    host = `unix://${dir}/docker.sock`;
    await startDaemon();
    execFileSync('sh', ['-c', `DOCKER_HOST=${DOCKER_HOST} docker save ${IMAGE} ${HELPER_IMAGE} | DOCKER_HOST=${host} docker load -q`], { stdio: 'ignore', timeout: 120_000 });
  });
  after(async () => {
    try {
      docker('rm', '-f', CONTAINER);
    } catch {
      // gone with the daemon
    }
    await stopDaemon();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends clearly, keeps the frames, leaves no helper, and captures again once the engine is back', async () => {
    docker('run', '-d', '--restart', 'always', '--network', 'none', '--name', CONTAINER, IMAGE, 'sleep', '3600');
    const capture = await recordContainerCapture(CONTAINER, { host });
    docker('exec', CONTAINER, 'ping', '-c', '2', '-i', '0.2', '127.0.0.1');
    await capture.framesAtLeast(4);
    const before = capture.frames.length;
    assert.ok(before >= 4, `only ${before} frames`);

    await stopDaemon();
    const ended = await capture.handle.finished;
    // A stopping engine stops its containers, then its API: the capture sees
    // whichever comes first, and says so.
    if (ended.reason === 'container stopped') {
      assert.equal(ended.error, undefined);
    } else {
      assert.equal(ended.reason, 'the Docker engine went away');
      assert.equal(ended.error?.code, 'docker-unreachable');
      assert.match(ended.error?.message ?? '', /lost the connection to Docker at .*packets captured until then are kept/);
    }
    assert.equal(capture.frames.length, before, 'the frames captured before are kept');

    await startDaemon();
    for (let i = 0; i < 50 && docker('inspect', '-f', '{{.State.Running}}', CONTAINER) !== 'true'; i++) await sleep(100);
    const again = await recordContainerCapture(CONTAINER, { host });
    assert.deepEqual(helperContainers(host).filter((n) => !n.includes('-lo-')), [], 'only the new capture\'s helper: nothing left from before the restart');
    docker('exec', CONTAINER, 'ping', '-c', '1', '127.0.0.1');
    await again.framesAtLeast(2);
    assert.ok(again.frames.length >= 2, 'captures again after the engine came back');
    await again.handle.stop();
    assert.deepEqual(helperContainers(host), []);
  });
});
