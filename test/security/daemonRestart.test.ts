/**
 * The Docker daemon restarts during a capture. The shared private daemon is
 * used by other suites, so this starts a SEPARATE small dockerd (no bridge,
 * its own data and exec roots; ~1 s) with a container that has a restart
 * policy. Stopping that daemon stops its containers: the capture ends with
 * "container stopped", keeps its frames and leaves nothing behind; once the
 * daemon is back, the same name captures again.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { startCapture, type CaptureEvents, type CaptureStartedInfo } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';
import { sleep } from '../support/cliRunner';
import { DOCKER_HOST, ensureDaemon, IMAGE } from '../support/dockerFixture';
import { privateBuild, type PrivateBuild } from './securityFixture';

const CONTAINER = 'dnc-sec-daemon-victim';

describe('the Docker daemon restarts during a capture (separate dockerd)', { timeout: 120_000 }, () => {
  let dir: string;
  let host: string;
  let build: PrivateBuild;
  const docker = (...args: string[]): string => execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  async function startDaemon(): Promise<void> {
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
    build = await privateBuild();
    // Short: containerd's sockets live under the exec root (108-byte limit for socket paths).
    dir = mkdtempSync('/tmp/dnc-sd-');
    mkdirSync(`${dir}/data`);
    mkdirSync(`${dir}/exec`);
    host = `unix://${dir}/docker.sock`;
    await startDaemon();
    execFileSync('sh', ['-c', `DOCKER_HOST=${DOCKER_HOST} docker save ${IMAGE} | DOCKER_HOST=${host} docker load -q`], { stdio: 'ignore', timeout: 60_000 });
  });
  after(async () => {
    try {
      docker('rm', '-f', CONTAINER);
    } catch {
      // gone with the daemon
    }
    await stopDaemon();
    rmSync(dir, { recursive: true, force: true });
    build?.dispose();
  });

  async function capture(frames: CapturedFrame[]): Promise<{ started: CaptureStartedInfo; handle: Awaited<ReturnType<typeof startCapture>> }> {
    const target = await createDockerClient(host).resolveContainer(CONTAINER);
    let started: CaptureStartedInfo | undefined;
    const events: CaptureEvents = {
      started: (info) => (started = info),
      frames: (batch) => frames.push(...readFrameBatch(batch.slice())),
      stats: () => undefined,
      log: () => undefined,
      ended: () => undefined,
    };
    const handle = await startCapture(target, { container: CONTAINER, direction: 'both', mode: { kind: 'namespace' } }, { helperScript: build.helper, nodeExecutable: process.execPath, elevation: 'direct', verbose: false, connectTimeoutMs: 20_000 }, events);
    return { started: started as CaptureStartedInfo, handle };
  }

  it('ends with "container stopped", keeps the frames, cleans up, and captures again once the daemon is back', async () => {
    docker('run', '-d', '--restart', 'always', '--network', 'none', '--name', CONTAINER, IMAGE, 'sleep', '3600');
    const frames: CapturedFrame[] = [];
    const { started, handle } = await capture(frames);
    docker('exec', CONTAINER, 'ping', '-c', '2', '-i', '0.2', '127.0.0.1');
    await sleep(300);
    const before = frames.length;
    assert.ok(before >= 4, `only ${before} frames`);

    await stopDaemon();
    const ended = await handle.finished;
    assert.equal(ended.reason, 'container stopped');
    assert.equal(ended.error, undefined);
    assert.equal(frames.length, before, 'the frames captured before are kept');
    assert.ok(!existsSync(handle.channelDirectory), 'channel directory removed');
    for (const pid of [started.helperPid, ...started.tcpdumpPids]) assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} left behind`);

    await startDaemon();
    for (let i = 0; i < 50 && docker('inspect', '-f', '{{.State.Running}}', CONTAINER) !== 'true'; i++) await sleep(100);
    const again: CapturedFrame[] = [];
    const second = await capture(again);
    docker('exec', CONTAINER, 'ping', '-c', '1', '127.0.0.1');
    for (let i = 0; i < 30 && again.length < 2; i++) await sleep(100);
    assert.ok(again.length >= 2, 'captures again after the daemon came back');
    await second.handle.stop();
  });
});
