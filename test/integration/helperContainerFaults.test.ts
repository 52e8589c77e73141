/**
 * Faults during a helper-container capture, each on the real engine: the
 * helper container killed, the target stopped, the helper image missing and
 * not pullable, the capturing process killed -9. Each gives a clear end, keeps
 * the frames captured before it, and leaves no helper container behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { docker, ensureDaemon, removeContainers, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { ensureHelperImages, helperContainers, helpersGone, startProbe, targetHelpers, waitForStandbys } from '../support/helperContainerFixture';
import { recordContainerCapture } from '../support/containerCaptureRecorder';

describe('helper-container backend: faults', { timeout: 240_000 }, () => {
  const created: string[] = [];
  const target = (): TestContainer => {
    const c = runContainer(uniqueName('dnc-h5-fault'), [], ['sleep', '3600']);
    created.push(c.name);
    return c;
  };

  before(() => {
    ensureDaemon();
    ensureHelperImages();
  });
  after(() => removeContainers(...created));

  it('the helper container killed: a clear reason, the frames kept, nothing left', async () => {
    const t = target();
    const capture = await recordContainerCapture(t.name);
    t.exec('ping', '-c', '2', '-i', '0.2', '127.0.0.1');
    await capture.framesAtLeast(4);
    const before = capture.frames.length;
    assert.ok(before >= 4, `only ${before} frames`);
    // The helper whose stream the capture shows (the one writing each packet), not the block writer standing by.
    const lo = targetHelpers(t.id).find((h) => h.name.includes('-lo-') && h.perPacket)?.name;
    assert.ok(lo, 'the loopback helper runs');
    docker('kill', lo);
    const ended = await capture.handle.finished;
    assert.equal(ended.reason, 'the helper container was killed');
    assert.match(ended.error?.message ?? '', new RegExp(`${lo} was killed .*packets captured until then are kept`));
    // eth0's helper keeps capturing until the session stops it: a frame may still arrive, none is lost.
    assert.ok(capture.frames.length >= before, 'the frames before the end are kept');
    assert.ok(capture.frames.filter((f) => f.interfaceName === 'lo').length >= 4, 'the pings on lo are there');
    assert.deepEqual(await helpersGone(), []);
  });

  it('the target stopped mid-capture: "container stopped", the frames kept, nothing left', async () => {
    const t = target();
    const capture = await recordContainerCapture(t.name);
    t.exec('ping', '-c', '2', '-i', '0.2', '127.0.0.1');
    await capture.framesAtLeast(4);
    const before = capture.frames.length;
    docker('kill', t.name);
    const ended = await capture.handle.finished;
    assert.equal(ended.reason, 'container stopped');
    assert.equal(ended.error, undefined);
    assert.ok(capture.frames.length >= before, 'the frames before the end are kept');
    assert.ok(before >= 4);
    assert.deepEqual(await helpersGone(), []);
  });

  it('a helper image the engine lacks and cannot pull: one line naming the image and the setting', async () => {
    const t = target();
    // A registry on this machine's loopback where nothing listens: the pull
    // fails at once, as it does on an air-gapped engine, without leaving it.
    const image = '127.0.0.1:9/dnc-no-such-helper:latest';
    await assert.rejects(recordContainerCapture(t.name, { image }), (err: unknown) => {
      assert.ok(isCaptureError(err));
      assert.equal(err.code, 'tcpdump-missing');
      assert.ok(!err.message.includes('\n'), err.message);
      assert.match(err.message, /^the helper image 127\.0\.0\.1:9\/dnc-no-such-helper:latest is not on the Docker engine and could not be pulled \(.+\); set dockerNetworkCapture\.helperImage \(CLI: --helper-image\)/);
      return true;
    });
    assert.deepEqual(await helpersGone(), []);
  });

  it('a capture process killed -9 leaves helpers running; the next start removes them and keeps another live capture\'s', async () => {
    const t = target();
    const other = target();
    const live = await recordContainerCapture(other.name);
    const probe = startProbe({ container: t.name });
    await probe.waitFor((r) => r.event === 'ready');
    // Each interface's per-packet helper and the block writer standing by beside it.
    const orphans = (await waitForStandbys(t.id, 2)).map((h) => h.name);
    assert.equal(orphans.length, 4, orphans.join(', '));
    const otherHelpers = (await waitForStandbys(other.id, 2)).map((h) => h.name).sort();
    assert.equal(otherHelpers.length, 4, otherHelpers.join(', '));
    probe.child.kill('SIGKILL');
    await probe.exited;
    assert.deepEqual(helperContainers().filter((n) => n.includes(t.id.slice(0, 12))), orphans, 'still there after the kill');

    const next = await recordContainerCapture(t.name);
    assert.ok(next.logs.some((l) => l.includes('removed 4 helper container(s) left by an earlier capture')), next.logs.join('\n'));
    const now = helperContainers();
    assert.ok(orphans.every((o) => !now.includes(o)), 'the orphans are gone');
    assert.deepEqual(now.filter((n) => n.includes(other.id.slice(0, 12))).sort(), otherHelpers, 'the live capture of another target kept its helpers');
    await next.handle.stop();
    other.exec('ping', '-c', '1', '127.0.0.1');
    await live.framesAtLeast(2);
    assert.ok(live.frames.length >= 2, 'the other capture still delivers');
    await live.handle.stop();
    assert.equal(live.ended?.reason, 'stopped');
    assert.deepEqual(await helpersGone(), []);
  });
});
