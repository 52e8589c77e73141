/**
 * The extension's path (captureClient.startCapture, 'direct' as root, as
 * VS Code running as root does it): hostile request fields and launch paths,
 * the privacy of the channel during a live capture, and who every process
 * that touches packet bytes runs as, read from /proc.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
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
import { canary, cmdlineOf, ensureTestUsers, NOBODY, OTHER_USER, privateBuild, privilegesOf, TCPDUMP_BOUNDING_SET, TCPDUMP_CONFINEMENT, uidOf, type PrivateBuild } from './securityFixture';

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

      // /proc: the helper is nobody without groups or capabilities; its children are the
      // tcpdumps it announced plus one packet reader.
      const children = childrenOf(started.helperPid);
      const readers = children.filter((pid) => !started.tcpdumpPids.includes(pid));
      assert.deepEqual([...started.tcpdumpPids].sort(), children.filter((pid) => started.tcpdumpPids.includes(pid)).sort());
      assert.equal(readers.length, 1, `children ${children.join(' ')}`);
      const reader = readers[0] as number;
      assert.equal(identityOf(reader).name, 'dnc-pkt-reader');
      const helper = identityOf(started.helperPid);
      assert.deepEqual(helper.uids, [NOBODY, NOBODY, NOBODY, NOBODY], 'helper uids');
      assert.deepEqual(helper.groups, [], 'the helper keeps no supplementary groups');
      assert.equal(privilegesOf(started.helperPid).capEff, 0n, 'helper capabilities');
      // Every process that reads packets (the reader parses them, tcpdump receives them):
      // nobody, no_new_privs, no capabilities; the reader with an empty bounding set and
      // no groups at all, tcpdump with only what opening its interface needed (and nogroup,
      // which its own -Z sets).
      for (const pid of [reader, ...started.tcpdumpPids]) {
        const id = identityOf(pid);
        const priv = privilegesOf(pid);
        const what = `${id.name} ${pid}`;
        assert.deepEqual(id.uids, [NOBODY, NOBODY, NOBODY, NOBODY], `${what} uids`);
        assert.ok(id.gids.every((g) => g === id.gids[0] && g !== 0), `${what} gids ${id.gids.join(' ')}`);
        assert.equal(priv.noNewPrivs, true, `${what} NoNewPrivs`);
        assert.equal(priv.capEff | priv.capPrm | priv.capInh | priv.capAmb, 0n, `${what} capabilities`);
        if (pid === reader) {
          assert.equal(priv.capBnd, 0n, `${what} CapBnd`);
          assert.deepEqual(id.groups, [], `${what} groups`);
        } else {
          assert.equal(priv.capBnd & ~TCPDUMP_BOUNDING_SET, 0n, `${what} CapBnd ${priv.capBnd.toString(16)}`);
          assert.ok(id.groups.every((g) => g === id.gids[0]), `${what} groups ${id.groups.join(' ')}`);
        }
      }
      // What really runs is what the helper announced: confined tcpdump with the filter after "--".
      started.tcpdumpPids.forEach((pid, k) => {
        const argv = cmdlineOf(pid);
        assert.equal(argv[0], '/usr/bin/tcpdump');
        const announced = started.commands[k] ?? [];
        assert.deepEqual(announced.slice(0, 3 + TCPDUMP_CONFINEMENT.length), ['/usr/bin/nsenter', '--net=/proc/self/fd/3', '--', ...TCPDUMP_CONFINEMENT]);
        assert.deepEqual(argv, announced.slice(3 + TCPDUMP_CONFINEMENT.length), `pid ${pid}`);
        assert.equal(argv[argv.length - 1], '--');
      });
    } finally {
      await handle.stop();
    }
  });

  /** Polls `done` for up to `ms` (a bound against hanging, not a speed assertion). */
  async function within(ms: number, done: () => boolean): Promise<boolean> {
    for (let waited = 0; !done() && waited < ms; waited += 50) await sleep(50);
    return done();
  }

  function connectTo(path: string): Promise<{ socket: Socket; received: () => number; closed: () => boolean; error: () => string | undefined }> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      let received = 0;
      let closed = false;
      let error: string | undefined;
      socket.on('data', (d: Buffer) => (received += d.length));
      socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
      socket.on('close', () => (closed = true));
      socket.once('connect', () => resolve({ socket, received: () => received, closed: () => closed, error: () => error }));
      socket.once('error', reject);
    });
  }

  it('intruders who connect before the helper: a wrong token, or a first message too big to be a hello, are refused; the helper that comes next captures', async () => {
    // The helper is held back by a gate in front of the runtime, so the intruders are
    // certainly first; the channel directory appears in a TMPDIR of the test's own.
    const gate = mkdtempSync(join(tmpdir(), 'dnc-sec-gate-'));
    const open = join(gate, 'open');
    const runtime = join(gate, 'node-after-gate');
    writeFileSync(runtime, `#!/bin/sh\ni=0\nwhile [ ! -e ${open} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
    const channels = join(gate, 'tmp');
    mkdirSync(channels, { mode: 0o700 });
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = channels;
    const c = collector();
    let starting: ReturnType<typeof startCapture>;
    try {
      starting = startCapture(target, base(), { ...options(), nodeExecutable: runtime }, c.events);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    starting.catch(() => undefined);
    const intruders: Socket[] = [];
    try {
      const socketPath = (): string | undefined => {
        const dir = readdirSync(channels).find((d) => d.startsWith('dnc-'));
        return dir && existsSync(join(channels, dir, 'capture.sock')) ? join(channels, dir, 'capture.sock') : undefined;
      };
      assert.ok(await within(10_000, () => socketPath() !== undefined), 'the channel socket appeared');
      const path = socketPath() as string;

      // 1. Well-formed hello, wrong token: dropped, sent nothing.
      const wrongToken = await connectTo(path);
      intruders.push(wrongToken.socket);
      wrongToken.socket.write(encodeJson({ type: 'hello', token: 'f'.repeat(64), pid: 1 }));
      assert.ok(await within(10_000, wrongToken.closed), 'the intruder with a wrong token was not cut off');
      assert.equal(wrongToken.received(), 0);

      // 2. A first message declared 60 MiB long, then 2 MiB of it: refused at the
      // header, so most of the 2 MiB (ten times the socket buffer) cannot be delivered.
      const tooBig = await connectTo(path);
      intruders.push(tooBig.socket);
      const header = Buffer.alloc(5);
      header.writeUInt32LE(60 * 1024 * 1024, 0);
      header[4] = 1;
      tooBig.socket.write(Buffer.concat([header, Buffer.alloc(2 * 1024 * 1024, 0x20)]));
      assert.ok(await within(10_000, tooBig.closed), 'the intruder with an oversized first message was not cut off');
      assert.match(tooBig.error() ?? 'all written', /ECONNRESET|EPIPE/, 'the client read 2 MiB from a peer that never showed the token');
      assert.equal(tooBig.received(), 0);

      // Now the real helper: it is accepted and the capture works.
      writeFileSync(open, '');
      const handle = await starting;
      try {
        scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
        for (let i = 0; i < 50 && !c.frames.some((f) => summarize(f.data, f.linkType).info.startsWith('GET /')); i++) await sleep(100);
        assert.ok(c.frames.some((f) => summarize(f.data, f.linkType).info.startsWith('GET /')), 'the real helper captures');
      } finally {
        await handle.stop();
      }
    } finally {
      for (const s of intruders) s.destroy();
      writeFileSync(open, '');
      await starting.then((h) => h.stop(), () => undefined);
      rmSync(gate, { recursive: true, force: true });
    }
  });
});
