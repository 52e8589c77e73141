/**
 * The Docker engine restarts during a helper-container capture. The shared
 * private daemon serves other suites, so this starts a SEPARATE small dockerd
 * (test/support/separateDockerd.ts) with the busybox and helper images
 * loaded into it. The capture ends clearly and keeps its frames; once the engine is back no helper container is left,
 * and the same target captures again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureDaemon, IMAGE } from '../support/dockerFixture';
import { ensureHelperImages, helperContainers, HELPER_IMAGE } from '../support/helperContainerFixture';
import { recordContainerCapture } from '../support/containerCaptureRecorder';
import { startSeparateDockerd, type SeparateDockerd } from '../support/separateDockerd';

const CONTAINER = 'dnc-h5-daemon-victim';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('helper-container backend: the engine restarts mid-capture (separate dockerd)', { timeout: 180_000 }, () => {
  let engine: SeparateDockerd;
  let host: string;
  const docker = (...args: string[]): string => engine.docker(...args);

  before(async () => {
    ensureDaemon();
    ensureHelperImages();
    engine = await startSeparateDockerd([IMAGE, HELPER_IMAGE]);
    host = engine.host;
  });
  after(async () => {
    await engine?.dispose(CONTAINER);
  });

  it('ends clearly, keeps the frames, leaves no helper, and captures again once the engine is back', async () => {
    docker('run', '-d', '--restart', 'always', '--network', 'none', '--name', CONTAINER, IMAGE, 'sleep', '3600');
    const capture = await recordContainerCapture(CONTAINER, { host });
    docker('exec', CONTAINER, 'ping', '-c', '2', '-i', '0.2', '127.0.0.1');
    await capture.framesAtLeast(4);
    const before = capture.frames.length;
    assert.ok(before >= 4, `only ${before} frames`);

    await engine.stop();
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

    await engine.start();
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
