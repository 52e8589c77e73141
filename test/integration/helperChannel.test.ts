/**
 * The privileged helper and its private channel, started the way the
 * extension starts it when VS Code runs as root ('direct'), on real containers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summarize } from '../../src/core/decode/index';
import { startCapture } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';
import { recordCapture } from '../support/captureRecorder';
import { sleep } from '../support/cliRunner';
import { docker, DOCKER_HOST, removeContainers, REPO, runContainer, uniqueName } from '../support/dockerFixture';
import { identityOf, processesMatching } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';

const HELPER = join(REPO, 'dist', 'helper.js');

describe('helper over its private channel', { timeout: 120_000 }, () => {
  let scene: TestScene;
  before(async () => {
    scene = await createScene('helper');
  });
  after(() => scene?.dispose());

  it('streams decoded-ready frames, runs as nobody, and leaves nothing behind when stopped', async () => {
    const target = await createDockerClient(DOCKER_HOST).resolveContainer(scene.client.name);
    const rec = recordCapture();
    const handle = await startCapture(
      target,
      { container: target.name, direction: 'both', mode: { kind: 'namespace' } },
      { helperScript: HELPER, nodeExecutable: process.execPath, elevation: 'direct', verbose: true },
      rec.events,
    );
    assert.ok(rec.started, 'started event');
    assert.deepEqual(rec.started.interfaces.sort(), ['eth0', 'eth1', 'lo']);
    assert.equal(rec.started.uid, 65534);
    assert.ok(rec.logs.some((l) => /privileges dropped to nobody/.test(l)), rec.logs.join('\n'));

    // The channel: a private directory holding only the socket (the request file, with its token, is gone).
    const dirMode = statSync(handle.channelDirectory).mode & 0o777;
    assert.equal(dirMode, 0o700);
    assert.ok(existsSync(join(handle.channelDirectory, 'capture.sock')));
    assert.ok(!existsSync(join(handle.channelDirectory, 'request.json')), 'the token file is deleted once read');

    // Another local user cannot even reach the socket.
    const script = `require('net').connect(${JSON.stringify(join(handle.channelDirectory, 'capture.sock'))}).on('error', e => { console.log(e.code); process.exit(0) }).on('connect', () => { console.log('CONNECTED'); process.exit(0) })`;
    const asNobody = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' }).trim();
    assert.equal(asNobody, 'EACCES');

    // Every process that touches packets runs as nobody, without groups.
    const helperPid = rec.started.helperPid;
    for (const pid of [helperPid, ...rec.started.tcpdumpPids]) {
      const id = identityOf(pid);
      assert.deepEqual(id.uids, [65534, 65534, 65534, 65534], `${id.name} ${pid}`);
      assert.ok(id.groups.every((g) => g !== 0), `${id.name} groups`);
    }

    scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    for (let i = 0; i < 50 && !rec.frames.some((f) => summarize(f.data, f.linkType).info.startsWith('GET /')); i++) await sleep(100);
    const get = rec.frames.find((f) => summarize(f.data, f.linkType).info.startsWith('GET /'));
    assert.ok(get, `no GET among ${rec.frames.length} frames`);
    assert.equal(get.direction, 'out');
    assert.equal(get.interfaceName, 'eth0');
    assert.equal(summarize(get.data, get.linkType).dst, scene.serverIpv4);

    await handle.stop();
    const ended = await handle.finished;
    assert.equal(ended.reason, 'stopped');
    assert.equal(ended.error, undefined);
    assert.ok(!existsSync(handle.channelDirectory), 'the socket directory is removed');
    await sleep(200);
    assert.deepEqual(processesMatching(HELPER), [], 'no helper left');
    for (const pid of rec.started.tcpdumpPids) assert.ok(!existsSync(`/proc/${pid}`), `tcpdump ${pid} left running`);
  });

  it('ends with "container stopped" when the container stops, keeping what was captured', async () => {
    const victim = runContainer(uniqueName('dnc-victim'), ['--network', scene.network], ['sleep', '3600']);
    try {
      const target = await createDockerClient(DOCKER_HOST).resolveContainer(victim.name);
      const rec = recordCapture();
      const handle = await startCapture(
        target,
        { container: target.name, direction: 'both', mode: { kind: 'namespace' } },
        { helperScript: HELPER, nodeExecutable: process.execPath, elevation: 'direct', verbose: false },
        rec.events,
      );
      victim.exec('ping', '-c', '1', '-W', '2', scene.serverIpv4);
      await sleep(300);
      docker('kill', victim.name);
      const ended = await handle.finished;
      assert.equal(ended.reason, 'container stopped');
      assert.ok(rec.frames.length >= 2, 'the packets captured before the stop are kept');
      assert.ok(!existsSync(handle.channelDirectory));
    } finally {
      removeContainers(victim.name);
    }
  });
});
