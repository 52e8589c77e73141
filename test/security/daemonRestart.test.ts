/**
 * The Docker daemon restarts during a capture, on a SEPARATE small dockerd
 * (test/support/separateDockerd.ts) with a container that has a restart
 * policy. Stopping that daemon stops its containers: the capture ends with
 * "container stopped", keeps its frames and leaves nothing behind; once the
 * daemon is back, the same name captures again.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { startCapture, type CaptureEvents, type CaptureStartedInfo } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';
import { sleep } from '../support/cliRunner';
import { ensureDaemon, IMAGE } from '../support/dockerFixture';
import { startSeparateDockerd, type SeparateDockerd } from '../support/separateDockerd';
import { privateBuild, type PrivateBuild } from './securityFixture';

const CONTAINER = 'dnc-sec-daemon-victim';

describe('the Docker daemon restarts during a capture (separate dockerd)', { timeout: 120_000 }, () => {
  let engine: SeparateDockerd;
  let host: string;
  let build: PrivateBuild;
  const docker = (...args: string[]): string => engine.docker(...args);

  before(async () => {
    ensureDaemon();
    build = await privateBuild();
    engine = await startSeparateDockerd([IMAGE]);
    host = engine.host;
  });
  after(async () => {
    await engine?.dispose(CONTAINER);
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

    await engine.stop();
    const ended = await handle.finished;
    assert.equal(ended.reason, 'container stopped');
    assert.equal(ended.error, undefined);
    assert.equal(frames.length, before, 'the frames captured before are kept');
    assert.ok(!existsSync(handle.channelDirectory), 'channel directory removed');
    for (const pid of [started.helperPid, ...started.tcpdumpPids]) assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} left behind`);

    await engine.start();
    for (let i = 0; i < 50 && docker('inspect', '-f', '{{.State.Running}}', CONTAINER) !== 'true'; i++) await sleep(100);
    const again: CapturedFrame[] = [];
    const second = await capture(again);
    docker('exec', CONTAINER, 'ping', '-c', '1', '127.0.0.1');
    for (let i = 0; i < 30 && again.length < 2; i++) await sleep(100);
    assert.ok(again.length >= 2, 'captures again after the daemon came back');
    await second.handle.stop();
  });
});
