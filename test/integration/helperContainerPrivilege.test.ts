/**
 * What the helper container is allowed, checked on the real container while it
 * captures: least privilege in its HostConfig, and tcpdump no longer root (and
 * holding no capability) once it dropped to its own user. Then the capability
 * probe's order, with the images that are real here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HELPER_LABEL, OWNER_LABEL, TARGET_LABEL } from '../../src/client/helperContainer/helperContainerSpec';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { docker, ensureDaemon, IMAGE, removeContainers, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { ensureHelperImages, helperContainers, helpersGone, NOUSER_HELPER_IMAGE, targetHelpers } from '../support/helperContainerFixture';
import { recordContainerCapture } from '../support/containerCaptureRecorder';

interface HelperInspect {
  Id: string;
  Name: string;
  State: { Pid: number };
  Config: { Labels: Record<string, string>; User: string; Entrypoint: string[] };
  HostConfig: {
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    ReadonlyRootfs: boolean;
    SecurityOpt: string[] | null;
    NetworkMode: string;
    AutoRemove: boolean;
    Memory: number;
    PidsLimit: number;
    Privileged: boolean;
    Binds: string[] | null;
    LogConfig: { Type: string };
  };
  Mounts: unknown[];
}

describe('helper-container backend: least privilege, on the real helper', { timeout: 180_000 }, () => {
  let target: TestContainer;

  before(() => {
    ensureDaemon();
    ensureHelperImages();
    target = runContainer(uniqueName('dnc-h5-priv'), [], ['sleep', '3600']);
  });
  after(() => removeContainers(target?.name ?? ''));

  it('runs tcpdump with NET_RAW + SETUID/SETGID only, read-only, no-new-privileges, no mounts, limited, labelled; tcpdump is not root after the drop', async () => {
    const capture = await recordContainerCapture(target.name);
    try {
      assert.ok(capture.logs.some((l) => /switches to its own user/.test(l)), 'the probe tried NET_RAW alone first, then added SETUID/SETGID');
      // Both interfaces' block writers stand by, listening (their tcpdump has dropped its privileges too).
      for (let i = 0; i < 100 && capture.logs.filter((l) => /a block writer stands by/.test(l)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      const helpers = targetHelpers(target.id);
      const names = helpers.map((h) => h.name);
      assert.deepEqual(names.filter((n) => !helperContainers().includes(n)), [], 'every helper of the target is labelled as one');
      assert.equal(helpers.filter((h) => h.perPacket).length, 2, `one per-packet helper per interface: ${names.join(', ')}`);
      assert.equal(helpers.filter((h) => !h.perPacket).length, 2, `one block writer standing by per interface: ${names.join(', ')}`);
      for (const name of names) {
        const info = (JSON.parse(docker('inspect', name)) as HelperInspect[])[0] as HelperInspect;
        assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
        assert.deepEqual(info.HostConfig.CapAdd, ['NET_RAW', 'SETUID', 'SETGID']);
        assert.equal(info.HostConfig.Privileged, false);
        assert.equal(info.HostConfig.ReadonlyRootfs, true);
        assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
        assert.equal(info.HostConfig.NetworkMode, `container:${target.id}`);
        assert.equal(info.HostConfig.AutoRemove, true);
        assert.equal(info.HostConfig.Memory, 64 * 1024 * 1024);
        assert.equal(info.HostConfig.PidsLimit, 16);
        assert.equal(info.HostConfig.LogConfig.Type, 'none', 'packet bytes never reach the engine\'s log');
        assert.deepEqual(info.HostConfig.Binds ?? [], []);
        assert.deepEqual(info.Mounts, []);
        assert.deepEqual(info.Config.Entrypoint, ['tcpdump']);
        assert.equal(info.Config.Labels[HELPER_LABEL], '1');
        assert.equal(info.Config.Labels[TARGET_LABEL], target.id);
        assert.match(info.Config.Labels[OWNER_LABEL] ?? '', new RegExp(`:${process.pid}:`));
        // tcpdump is the helper's PID 1; from here its /proc entry says who it is now.
        const status = readFileSync(`/proc/${info.State.Pid}/status`, 'utf8');
        const uid = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
        assert.ok(uid && uid.slice(1).every((u) => u !== '0'), `tcpdump runs as uid ${uid?.slice(1).join('/')} (not root)`);
        assert.match(status, /^CapEff:\s+0+$/m, 'and holds no capability');
        assert.match(status, /^NoNewPrivs:\s+1$/m);
      }
      const second = await recordContainerCapture(target.name);
      assert.ok(!second.logs.some((l) => /switches to its own user/.test(l)), 'the answer is kept for the process lifetime: no second trial');
      await second.handle.stop();
    } finally {
      await capture.handle.stop();
    }
    assert.deepEqual(await helpersGone(), []);
  });

  it('an image whose tcpdump cannot switch to its user fails with tcpdump\'s own words, and leaves nothing', async () => {
    // Debian's tcpdump is built to drop to `tcpdump`; without that user in the
    // image it refuses to capture at all, whatever the capabilities (a tcpdump
    // built without a drop user, needing NET_RAW alone, is not available here).
    await assert.rejects(recordContainerCapture(target.name, { image: NOUSER_HELPER_IMAGE }), (err: unknown) => {
      assert.ok(isCaptureError(err));
      assert.match(err.message, /Couldn't find user 'tcpdump'/);
      return true;
    });
    assert.deepEqual(await helpersGone(), []);
  });

  it('an image without tcpdump is refused in one line naming the image and the setting', async () => {
    await assert.rejects(recordContainerCapture(target.name, { image: IMAGE }), (err: unknown) => {
      assert.ok(isCaptureError(err));
      assert.equal(err.code, 'tcpdump-missing');
      assert.match(err.message, new RegExp(`${IMAGE}.*no tcpdump.*dockerNetworkCapture\\.helperImage.*--helper-image`));
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    assert.deepEqual(await helpersGone(), []);
  });
});
