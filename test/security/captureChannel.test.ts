/**
 * The extension's path (captureClient.startCapture, 'direct' as root, as
 * VS Code running as root does it): hostile request fields and launch paths,
 * the privacy of the channel during a live capture, and who every process
 * that touches packet bytes runs as, read from /proc.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summarize } from '../../src/core/decode/index';
import { readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { startCapture, type CaptureEvents, type CaptureStartedInfo } from '../../src/client/captureClient';
import type { CaptureRequest } from '../../src/protocol/captureRequest';
import { createDockerClient } from '../../src/client/dockerClient';
import { encodeJson } from '../../src/protocol/channelCodec';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';
import { sleep } from '../support/cliRunner';
import { DOCKER_HOST } from '../support/dockerFixture';
import { childrenOf, identityOf } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';
import { canary, cmdlineOf, ensureTestUsers, NOBODY, OTHER_USER, privateBuild, uidOf, type PrivateBuild } from './securityFixture';

function collector(): { events: CaptureEvents; frames: CapturedFrame[]; started?: CaptureStartedInfo } {
  const c = { frames: [] as CapturedFrame[], started: undefined as CaptureStartedInfo | undefined, events: {} as CaptureEvents };
  c.events = {
    started: (info) => (c.started = info),
    frames: (batch) => c.frames.push(...readFrameBatch(batch.slice())),
    stats: () => undefined,
    log: () => undefined,
    ended: () => undefined,
  };
  return c;
}

describe('capture channel: hostile requests, privacy, identities', { timeout: 180_000 }, () => {
  let scene: TestScene;
  let build: PrivateBuild;
  let target: ResolvedContainer;
  const base = (): CaptureRequest => ({ container: target.name, direction: 'both', mode: { kind: 'namespace' } });

  before(async () => {
    ensureTestUsers();
    scene = await createScene('sec');
    build = await privateBuild();
    target = await createDockerClient(DOCKER_HOST).resolveContainer(scene.client.name);
  });
  after(() => {
    scene?.dispose();
    build?.dispose();
  });

  const options = () => ({ helperScript: build.helper, nodeExecutable: process.execPath, elevation: 'direct' as const, verbose: true, connectTimeoutMs: 20_000 });

  it('hostile filters, bridges and settings are refused by the helper; nothing runs', async () => {
    const bait = canary();
    const hostile: [Partial<CaptureRequest> & Record<string, unknown>, string][] = [
      ...bait.payloads.filter((p) => /\n/.test(p)).map((p) => [{ filter: p }, 'invalid-filter'] as [Record<string, unknown>, string]),
      [{ filter: '-w /tmp/dnc-sec-owned' }, 'invalid-filter'],
      [{ filter: 'x'.repeat(5000) }, 'invalid-filter'],
      [{ filter: 'tcp) or (udp' }, 'invalid-filter'],
      [{ mode: { kind: 'bridge', bridge: bait.payloads[0] as string } }, 'invalid-request'],
      [{ mode: { kind: 'bridge', bridge: '--version' } }, 'invalid-request'],
      [{ snapLength: -1 }, 'invalid-request'],
      [{ direction: bait.payloads[1] as CaptureRequest['direction'] }, 'invalid-request'],
    ];
    for (const [fields, code] of hostile) {
      const c = collector();
      const err = await startCapture(target, { ...base(), ...fields } as CaptureRequest, options(), c.events).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isCaptureError(err), `${JSON.stringify(fields).slice(0, 80)} was accepted`);
      assert.equal(err.code, code, `${JSON.stringify(fields).slice(0, 80)}: ${err.message}`);
      assert.equal(c.started, undefined);
    }
    assert.equal(bait.fired(), false);
  });

  it('launch paths with shell syntax never reach the root command line (sudo-prompt path)', async () => {
    const bait = canary();
    for (const p of bait.payloads) {
      const err = await startCapture(target, base(), { ...options(), elevation: 'sudo-prompt', helperScript: `/tmp/${p}/helper.js` }, collector().events).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isCaptureError(err) && err.code === 'elevation-failed', String(err));
      assert.match(err.message, /unsafe on a root command line/);
    }
    // A temp directory with shell syntax in its name: the request path is refused the same way.
    const saved = process.env.TMPDIR;
    // One path component (no `/` inside), so removing it removes all of it.
    const weird = join(tmpdir(), 'dnc-sec-$(id)`id`');
    mkdirSync(weird, { recursive: true });
    process.env.TMPDIR = weird;
    try {
      const err = await startCapture(target, base(), { ...options(), elevation: 'sudo-prompt' }, collector().events).then(() => undefined, (e: unknown) => e);
      assert.ok(isCaptureError(err) && /unsafe on a root command line/.test(err.message), String(err));
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(weird, { recursive: true, force: true });
    }
    assert.equal(bait.fired(), false);
  });

  it('during a capture: other users cannot reach the channel, an intruder with a wrong token is cut off, every packet reader is nobody without groups or capabilities', async () => {
    const c = collector();
    const handle = await startCapture(target, base(), options(), c.events);
    try {
      const started = c.started as CaptureStartedInfo;
      const socket = join(handle.channelDirectory, 'capture.sock');
      for (const uid of [NOBODY, uidOf(OTHER_USER)]) {
        const probe = `const n=require('net'),f=require('fs');const out=[];try{f.readdirSync(${JSON.stringify(handle.channelDirectory)});out.push('LISTED')}catch(e){out.push(e.code)}n.connect(${JSON.stringify(socket)}).on('error',e=>{out.push(e.code);console.log(out.join(' '))}).on('connect',()=>{out.push('CONNECTED');console.log(out.join(' '));process.exit(0)})`;
        const seen = execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e', probe], { encoding: 'utf8' }).trim();
        assert.equal(seen, 'EACCES EACCES', `uid ${uid}`);
      }
      // Root (or anyone who got in) without the token: connection dropped, no packets, the capture carries on.
      const intruder = createConnection(socket);
      let intruderBytes = 0;
      intruder.on('data', (d: Buffer) => (intruderBytes += d.length));
      intruder.on('error', () => undefined);
      await new Promise<void>((r) => intruder.once('connect', () => r()));
      intruder.write(encodeJson({ type: 'hello', token: 'f'.repeat(64), pid: 1 }));
      await new Promise<void>((r) => intruder.once('close', () => r()));

      scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
      for (let i = 0; i < 50 && !c.frames.some((f) => summarize(f.data, f.linkType).info.startsWith('GET /')); i++) await sleep(100);
      assert.ok(c.frames.some((f) => summarize(f.data, f.linkType).info.startsWith('GET /')), 'the real client still receives packets');
      assert.equal(intruderBytes, 0, 'the intruder received nothing');

      // /proc: the helper and each tcpdump (and anything they started) are nobody, no groups, no capabilities.
      const pids = [started.helperPid, ...childrenOf(started.helperPid)];
      assert.deepEqual([...started.tcpdumpPids].sort(), childrenOf(started.helperPid).sort());
      for (const pid of pids) {
        const id = identityOf(pid);
        assert.deepEqual(id.uids, [NOBODY, NOBODY, NOBODY, NOBODY], `${id.name} ${pid}`);
        assert.ok(id.gids.every((g) => g !== 0) && id.groups.every((g) => g === id.gids[0]), `${id.name} ${pid} gids ${id.gids.join(' ')} groups ${id.groups.join(' ')}`);
        const capEff = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^CapEff:\s*(\w+)/m)?.[1];
        assert.equal(Number.parseInt(capEff ?? 'x', 16), 0, `${id.name} ${pid} capabilities ${capEff}`);
      }
      assert.deepEqual(identityOf(started.helperPid).groups, [], 'the helper keeps no supplementary groups');
      // What really runs is what the helper announced: tcpdump with the filter after "--".
      started.tcpdumpPids.forEach((pid, k) => {
        const argv = cmdlineOf(pid);
        assert.equal(argv[0], '/usr/bin/tcpdump');
        assert.deepEqual(argv, started.commands[k]?.slice(5), `pid ${pid}`);
        assert.equal(argv[argv.length - 1], '--');
      });
    } finally {
      await handle.stop();
    }
  });
});
