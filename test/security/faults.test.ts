/**
 * Faults under a live capture on the real Docker engine, through the
 * extension's path (startCapture 'direct', as root): the capture ends with a
 * reason a user can read, what was captured stays, and no process, socket or
 * temporary directory of the capture is left behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { startCapture, type CaptureHandle } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';
import { sleep } from '../support/cliRunner';
import { docker, DOCKER_HOST, removeContainers, REPO, runContainer, uniqueName } from '../support/dockerFixture';
import { processesMatching } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';
import { privateBuild, type PrivateBuild } from './securityFixture';
import { recordCapture, type RecordedCapture } from '../support/captureRecorder';

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^State:\s*Z/m.test(safeRead(`/proc/${pid}/status`));
function safeRead(path: string): string {
  try {
    return execFileSync('cat', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

describe('faults during a capture', { timeout: 240_000 }, () => {
  let scene: TestScene;
  let build: PrivateBuild;
  before(async () => {
    scene = await createScene('fault');
    build = await privateBuild();
  });
  after(() => {
    scene?.dispose();
    build?.dispose();
  });

  async function capture(container: string, rec: RecordedCapture): Promise<CaptureHandle> {
    const target = await createDockerClient(DOCKER_HOST).resolveContainer(container);
    return startCapture(
      target,
      { container: target.name, direction: 'both', mode: { kind: 'namespace' } },
      { helperScript: build.helper, nodeExecutable: process.execPath, elevation: 'direct', verbose: true, connectTimeoutMs: 20_000 },
      rec.events,
    );
  }

  /** Starts a capture of `name`, pings from it, and returns once the replies are in. */
  async function captureWhilePinging(name: string): Promise<{ rec: RecordedCapture; handle: CaptureHandle; before: number }> {
    const rec = recordCapture();
    const handle = await capture(name, rec);
    ping(name);
    await sleep(300);
    return { rec, handle, before: rec.frames.length };
  }

  /** Nothing of this capture is left: its directory, its helper, its tcpdumps. */
  async function assertNothingLeft(handle: CaptureHandle, rec: RecordedCapture): Promise<void> {
    // The helper exits right after its last message; give it and tcpdump a moment.
    const pids = rec.started ? [rec.started.helperPid, ...rec.started.tcpdumpPids] : [];
    for (let i = 0; i < 30 && pids.some(alive); i++) await sleep(100);
    assert.ok(!existsSync(handle.channelDirectory), 'channel directory left behind');
    if (rec.started) {
      assert.ok(!alive(rec.started.helperPid), 'helper left running');
      for (const pid of rec.started.tcpdumpPids) assert.ok(!alive(pid), `tcpdump ${pid} left running`);
    }
    assert.deepEqual(processesMatching(build.helper), [], 'a helper of this build is still running');
  }

  async function withVictim(fn: (name: string) => Promise<void>): Promise<void> {
    const name = uniqueName('dnc-fault');
    runContainer(name, ['--network', scene.network], ['sleep', '3600']);
    try {
      await fn(name);
    } finally {
      removeContainers(name);
    }
  }

  const ping = (name: string): void => {
    try {
      docker('exec', name, 'ping', '-c', '2', '-i', '0.2', '-W', '1', scene.serverIpv4);
    } catch {
      // the count of replies does not matter, the packets do
    }
  };

  it('the container stops (docker stop): "container stopped", frames kept, nothing left', async () => {
    await withVictim(async (name) => {
      const { rec, handle, before } = await captureWhilePinging(name);
      assert.ok(before >= 4, `only ${before} frames`);
      docker('stop', '-t', '1', name);
      const ended = await handle.finished;
      assert.equal(ended.reason, 'container stopped');
      assert.equal(ended.error, undefined);
      assert.ok(rec.frames.length >= before, 'frames captured before the stop are kept');
      await assertNothingLeft(handle, rec);
    });
  });

  it('the container restarts: the capture ends, and a new capture of the same name works', async () => {
    await withVictim(async (name) => {
      const rec = recordCapture();
      const handle = await capture(name, rec);
      ping(name);
      await sleep(200);
      docker('restart', '-t', '1', name);
      const ended = await handle.finished;
      assert.equal(ended.reason, 'container stopped');
      await assertNothingLeft(handle, rec);
      // Re-attach by name: a new PID and namespace, captured again.
      const again = recordCapture();
      const second = await capture(name, again);
      ping(name);
      for (let i = 0; i < 30 && again.frames.length < 2; i++) await sleep(100);
      assert.ok(again.frames.length >= 2, 'the re-attached capture sees packets');
      await second.stop();
      await assertNothingLeft(second, again);
    });
  });

  it('a container with only a loopback (--network none) is killed: the capture still ends', async () => {
    // Its tcpdump on lo keeps the namespace alive, so tcpdump alone never notices (fixed in CaptureSession).
    const name = uniqueName('dnc-fault-lo');
    runContainer(name, ['--network', 'none'], ['sleep', '3600']);
    try {
      const rec = recordCapture();
      const handle = await capture(name, rec);
      docker('exec', name, 'ping', '-c', '2', '-i', '0.2', '127.0.0.1');
      await sleep(300);
      const before = rec.frames.length;
      assert.ok(before >= 4, `only ${before} frames`);
      docker('kill', name);
      const ended = await Promise.race([handle.finished, sleep(10_000).then(() => undefined)]);
      assert.ok(ended, 'the capture did not end within 10 s of the container being killed');
      assert.equal(ended.reason, 'container stopped');
      assert.equal(rec.frames.length, before);
      await assertNothingLeft(handle, rec);
    } finally {
      removeContainers(name);
    }
  });

  it('tcpdump is killed: the capture ends with a reason naming it, frames kept, nothing left', async () => {
    await withVictim(async (name) => {
      const { rec, handle, before } = await captureWhilePinging(name);
      const eth0 = rec.started?.tcpdumpPids[rec.started.interfaces.indexOf('eth0')] as number;
      process.kill(eth0, 'SIGKILL');
      const ended = await handle.finished;
      assert.match(ended.reason, /tcpdump on eth0 exited/);
      assert.ok(isCaptureError(ended.error) && ended.error.code === 'helper-failed');
      assert.ok(rec.frames.length >= before && before >= 4);
      await assertNothingLeft(handle, rec);
    });
  });

  it('the helper is killed (-9): the client says it went away and cleans up; tcpdump ends at its next packet', async () => {
    await withVictim(async (name) => {
      const { rec, handle, before } = await captureWhilePinging(name);
      process.kill(rec.started?.helperPid as number, 'SIGKILL');
      const ended = await handle.finished;
      assert.match(ended.reason, /helper (went away|exited)/);
      assert.ok(isCaptureError(ended.error));
      assert.ok(!existsSync(handle.channelDirectory), 'channel directory removed');
      // The packet reader (a process of its own since the reader split) may still
      // deliver what was in flight until the client ends the channel: kept too.
      assert.ok(rec.frames.length >= before, `frames kept: ${rec.frames.length} of ${before}`);
      const atEnd = rec.frames.length;
      // The orphaned tcpdumps write into a closed pipe at their next packet and die of SIGPIPE.
      ping(name);
      docker('exec', name, 'ping', '-c', '1', '127.0.0.1');
      await assertNothingLeft(handle, rec);
      assert.equal(rec.frames.length, atEnd, 'nothing arrives after the end');
    });
  });

  it('tcpdump is not installed: a clear message, nothing started', async () => {
    // A private mount namespace hides tcpdump from this one process tree only.
    const script = `mount --bind /dev/null /usr/bin/tcpdump && exec "$0" "$@"`;
    const probe = join(REPO, 'test', 'security', 'startCaptureProbe.ts');
    let out = '';
    try {
      out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, '--import', 'tsx', probe, scene.client.name, build.helper], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST },
        timeout: 60_000,
      });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? err);
    }
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { code?: string; message?: string };
    assert.equal(result.code, 'tcpdump-missing', out);
    assert.match(result.message ?? '', /tcpdump is not installed.*apt-get install tcpdump/);
  });

  it('--network host is refused with what can be captured; --network none captures its loopback and says so', async () => {
    const host = uniqueName('dnc-fault-host');
    const none = uniqueName('dnc-fault-none');
    runContainer(host, ['--network', 'host'], ['sleep', '600']);
    runContainer(none, ['--network', 'none'], ['sleep', '600']);
    try {
      const err = await capture(host, recordCapture()).then(() => undefined, (e: unknown) => e);
      assert.ok(isCaptureError(err) && err.code === 'no-network-namespace', String(err));
      assert.match(err.message, /host's network.*Capture on the host's interfaces/);
      const rec = recordCapture();
      const handle = await capture(none, rec);
      assert.deepEqual(rec.started?.interfaces, ['lo']);
      assert.ok(rec.logs.some((l) => /only its loopback can be captured/.test(l)), rec.logs.join('\n'));
      docker('exec', none, 'ping', '-c', '1', '127.0.0.1');
      for (let i = 0; i < 30 && rec.frames.length < 2; i++) await sleep(100);
      assert.ok(rec.frames.length >= 2 && rec.frames.every((f) => f.interfaceName === 'lo'));
      await handle.stop();
      await assertNothingLeft(handle, rec);
    } finally {
      removeContainers(host, none);
    }
  });
});
