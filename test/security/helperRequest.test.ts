/**
 * The privileged helper pointed at things it must not trust. It runs as root
 * exactly as pkexec starts it (PKEXEC_UID = the requesting user, dnc-e2e) and
 * is handed a request file that is wrong in one way each time. It must refuse
 * before doing anything as root: exit code 3, no connection to any socket,
 * no tcpdump or nsenter executed (the exec recorder sees every one).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChannelDecoder, encodeJson } from '../../src/protocol/channelCodec';
import { createDockerClient } from '../../src/client/dockerClient';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';
import type { HelperToClient } from '../../src/protocol/helperMessages';
import { DOCKER_HOST, ensureDaemon, removeContainers, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { assertOurTcpdumpArgv, canary, ensureTestUsers, execRecorder, OTHER_USER, privateBuild, run, TEST_USER, uidOf, type ExecRecorder, type PrivateBuild, type RunResult } from './securityFixture';
import { sleep } from '../support/cliRunner';

interface Channel {
  dir: string;
  requestPath: string;
  socketPath: string;
  server: Server;
  /** Connections the helper made, with the JSON messages it sent. */
  connections: { messages: HelperToClient[] }[];
  close(): void;
}

describe('helper: refuses a request it must not trust, before acting as root', { timeout: 180_000 }, () => {
  let build: PrivateBuild;
  let recorder: ExecRecorder;
  let container: TestContainer;
  let target: ResolvedContainer;
  /** A second container, for target lists (one helper, several containers). */
  let second: TestContainer;
  let secondTarget: ResolvedContainer;
  let user: number;
  const channels: Channel[] = [];

  before(async () => {
    ensureDaemon();
    ensureTestUsers();
    user = uidOf(TEST_USER);
    build = await privateBuild();
    recorder = execRecorder();
    container = runContainer(uniqueName('dnc-sec-helper'), [], ['sleep', '600']);
    target = await createDockerClient(DOCKER_HOST).resolveContainer(container.name);
    second = runContainer(uniqueName('dnc-sec-helper2'), [], ['sleep', '600']);
    secondTarget = await createDockerClient(DOCKER_HOST).resolveContainer(second.name);
  });
  after(() => {
    for (const c of channels) c.close();
    removeContainers(container.name, second.name);
    build?.dispose();
    recorder?.dispose();
  });

  /** A channel set up the way captureClient does it, as the test user. */
  async function channel(at?: string): Promise<Channel> {
    const dir = at ?? mkdtempSync(join(tmpdir(), 'dnc-sec-chan-'));
    if (at) mkdirSync(at, { mode: 0o700 });
    const socketPath = join(dir, 'capture.sock');
    const connections: Channel['connections'] = [];
    const server = createServer((socket: Socket) => {
      const conn = { messages: [] as HelperToClient[] };
      connections.push(conn);
      const decoder = new ChannelDecoder();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const m of decoder.push(chunk)) {
          if (m.kind !== 1) continue;
          const msg = m.value as HelperToClient;
          conn.messages.push(msg);
          if (msg.type === 'started') socket.write(encodeJson({ type: 'stop' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    chownSync(socketPath, user, user);
    chmodSync(socketPath, 0o600);
    chownSync(dir, user, user);
    chmodSync(dir, 0o700);
    const c: Channel = { dir, requestPath: join(dir, 'request.json'), socketPath, server, connections, close: () => { server.close(); rmSync(dir, { recursive: true, force: true }); } };
    channels.push(c);
    return c;
  }

  function request(c: Channel, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      version: 1,
      token: randomBytes(32).toString('hex'),
      socketPath: c.socketPath,
      target,
      request: { container: target.name, direction: 'both', mode: { kind: 'namespace' }, limits: { durationSeconds: 1 } },
      verbose: true,
      ...overrides,
    };
  }

  function writeRequest(path: string, body: unknown, mode = 0o600, owner = user): void {
    writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body), { mode });
    chmodSync(path, mode);
    chownSync(path, owner, owner);
  }

  function helper(path: string, env: NodeJS.ProcessEnv = { PKEXEC_UID: String(user) }): Promise<RunResult> {
    recorder.reset();
    return run(recorder.wrap([process.execPath, build.helper, path]), { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, 20_000);
  }

  function assertRefused(r: RunResult, c: Channel, why: RegExp): void {
    assert.equal(r.code, 3, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, /refusing the capture request/);
    assert.match(r.stderr, why);
    assert.equal(c.connections.length, 0, 'the helper connected to the socket');
    assert.deepEqual(recorder.execs(), [], 'tcpdump or nsenter was executed');
  }

  it('control: a correct request is accepted (so the refusals below mean something)', async () => {
    const c = await channel();
    writeRequest(c.requestPath, request(c));
    const r = await helper(c.requestPath);
    assert.equal(r.code, 0, r.stderr);
    const messages = c.connections[0]?.messages ?? [];
    assert.equal(messages[0]?.type, 'hello');
    assert.ok(messages.some((m) => m.type === 'started'), JSON.stringify(messages));
    const execs = recorder.execs();
    assert.ok(execs.length >= 2, 'tcpdump ran (through nsenter)');
    for (const argv of execs) assertOurTcpdumpArgv(argv, new Set());
  });

  it('a directory owned by another user, or readable by others', async () => {
    const c = await channel();
    chownSync(c.dir, 0, 0);
    writeRequest(c.requestPath, request(c));
    assertRefused(await helper(c.requestPath), c, /directory is owned by uid 0/);
    const d = await channel();
    chmodSync(d.dir, 0o755);
    writeRequest(d.requestPath, request(d));
    assertRefused(await helper(d.requestPath), d, /directory is accessible to other users/);
    // Started by root directly (no PKEXEC_UID): root's own request only, not a user's directory.
    const e = await channel();
    writeRequest(e.requestPath, request(e));
    assertRefused(await helper(e.requestPath, {}), e, /owned by uid \d+, not by the requesting user \(uid 0\)/);
  });

  it('a request file that is world-readable, owned by someone else, too large, or not JSON', async () => {
    for (const [mode, owner, body, why] of [
      [0o644, user, undefined, /request file is accessible to other users/],
      [0o600, 0, undefined, /request file is owned by uid 0/],
      [0o600, user, JSON.stringify({ pad: 'x'.repeat(70_000) }), /too large/],
      [0o600, user, '{"version": 1, "token": $(touch /tmp/x)}', /not valid JSON/],
    ] as const) {
      const c = await channel();
      writeRequest(c.requestPath, body ?? request(c), mode, owner);
      assertRefused(await helper(c.requestPath), c, why);
    }
  });

  it('symlinks: the directory, or the request file itself', async () => {
    const c = await channel();
    writeRequest(c.requestPath, request(c));
    const linkDir = join(tmpdir(), `dnc-sec-link-${randomBytes(3).toString('hex')}`);
    symlinkSync(c.dir, linkDir);
    try {
      assertRefused(await helper(join(linkDir, 'request.json')), c, /not a plain directory/);
    } finally {
      rmSync(linkDir, { force: true });
    }
    const d = await channel();
    const elsewhere = join(d.dir, 'other.json');
    writeRequest(elsewhere, request(d));
    symlinkSync(elsewhere, d.requestPath);
    assertRefused(await helper(d.requestPath), d, /cannot open the request file \(ELOOP\)/);
  });

  it('paths it should not touch: relative, another name, a traversal', async () => {
    const c = await channel();
    writeRequest(c.requestPath, request(c));
    assertRefused(await helper('request.json'), c, /must be absolute/);
    assertRefused(await helper('/etc/shadow'), c, /must be named request.json/);
    assertRefused(await helper(`${c.dir}/../../etc/request.json`), c, /directory is missing|owned by uid 0/);
  });

  it('a socket not beside the request, owned by another user, or not a socket', async () => {
    const c = await channel();
    const other = await channel();
    writeRequest(c.requestPath, request(c, { socketPath: other.socketPath }));
    assertRefused(await helper(c.requestPath), c, /socket must sit beside/);
    assert.equal(other.connections.length, 0);

    const d = await channel();
    chownSync(d.socketPath, 0, 0);
    writeRequest(d.requestPath, request(d));
    assertRefused(await helper(d.requestPath), d, /socket is not owned by the requesting user/);

    const e = await channel();
    e.server.close();
    rmSync(e.socketPath, { force: true });
    mkdirSync(e.socketPath);
    writeRequest(e.requestPath, request(e));
    assertRefused(await helper(e.requestPath), e, /not a socket/);
  });

  it('a malformed token, a bad container id or PID, hostile request fields', async () => {
    const bait = canary();
    const cases: [Record<string, unknown>, RegExp, number][] = [
      [{ token: 'abc' }, /token is malformed/, 3],
      [{ token: 'A'.repeat(64) }, /token is malformed/, 3],
      [{ token: `${'a'.repeat(60)}$(id)` }, /token is malformed/, 3],
      [{ target: { ...target, id: `${target.id.slice(0, 12)};id` } }, /not a container id/, 3],
      [{ target: { ...target, pid: 1 } }, /PID is not valid/, 3],
      [{ target: { ...target, pid: -5 } }, /PID is not valid/, 3],
      [{ request: { container: target.name, direction: 'both', mode: { kind: 'bridge', bridge: bait.payloads[0] } } }, /not a valid interface name/, 3],
      [{ request: { container: target.name, direction: `both;${bait.payloads[2] as string}`, mode: { kind: 'namespace' } } }, /direction must be/, 3],
      [{ request: { container: target.name, direction: 'both', mode: { kind: 'namespace' }, filter: '-w /tmp/dnc-sec-owned' } }, /must not start with "-"/, 4],
      [{ request: { container: target.name, direction: 'both', mode: { kind: 'namespace' }, snapLength: '$(id)' } }, /snap length must be/, 3],
    ];
    for (const [overrides, why, code] of cases) {
      const c = await channel();
      writeRequest(c.requestPath, request(c, overrides));
      const r = await helper(c.requestPath);
      assert.equal(r.code, code, `${JSON.stringify(overrides).slice(0, 120)}: ${r.stderr}`);
      assert.match(r.stderr, why);
      assert.equal(c.connections.length, 0, 'connected');
      assert.deepEqual(recorder.execs(), [], 'tcpdump or nsenter was executed');
    }
    assert.equal(bait.fired(), false);
  });

  it("a PID that is not the container's: told over the channel, nothing started", async () => {
    const c = await channel();
    writeRequest(c.requestPath, request(c, { target: { ...target, pid: process.pid } }));
    const r = await helper(c.requestPath);
    // Refused after connecting (so the user reads why), before any tool runs.
    assert.equal(r.code, 1, r.stderr);
    const ended = c.connections[0]?.messages.find((m) => m.type === 'ended');
    assert.ok(ended && ended.type === 'ended', JSON.stringify(c.connections));
    assert.equal(ended.error?.code, 'container-not-running');
    assert.match(ended.error?.message ?? '', new RegExp(`process ${process.pid} is not container`));
    assert.deepEqual(recorder.execs(), [], 'tcpdump or nsenter was executed');
  });

  it('a target list: accepted when every container is its own, each pipeline labelled container/interface', async () => {
    const c = await channel();
    writeRequest(c.requestPath, request(c, { targets: [target, secondTarget] }));
    const r = await helper(c.requestPath);
    assert.equal(r.code, 0, r.stderr);
    const started = c.connections[0]?.messages.find((m) => m.type === 'started');
    assert.ok(started && started.type === 'started', JSON.stringify(c.connections));
    assert.deepEqual(started.interfaces, [`${target.name}/eth0`, `${target.name}/lo`, `${secondTarget.name}/eth0`, `${secondTarget.name}/lo`]);
    for (const argv of recorder.execs()) assertOurTcpdumpArgv(argv, new Set());
  });

  it("a target list with one PID that is not its container's: refused before any tool runs, for every target", async () => {
    for (const targets of [[target, { ...secondTarget, pid: process.pid }], [target, { ...secondTarget, pid: target.pid }]]) {
      const c = await channel();
      writeRequest(c.requestPath, request(c, { targets }));
      const r = await helper(c.requestPath);
      assert.equal(r.code, 1, r.stderr);
      const ended = c.connections[0]?.messages.find((m) => m.type === 'ended');
      assert.ok(ended && ended.type === 'ended', JSON.stringify(c.connections));
      assert.equal(ended.error?.code, 'container-not-running');
      assert.deepEqual(recorder.execs(), [], 'tcpdump, nsenter or ip was executed');
    }
  });

  it('a target list out of bounds or ill-formed: refused before connecting', async () => {
    const many = Array.from({ length: 17 }, (_, k) => ({ ...secondTarget, name: `c${k}`, id: k.toString(16).padStart(64, '0') }));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ targets: [target, ...many.slice(0, 16)] }, /more than 16 containers/],
      [{ targets: [] }, /target list is empty/],
      [{ targets: 'all' }, /target list is empty/],
      [{ targets: [secondTarget, target] }, /must start with the target/],
      [{ targets: [target, target] }, /listed twice/],
      [{ targets: [target, { ...secondTarget, name: target.name }] }, /listed twice/],
      [{ targets: [target, { ...secondTarget, name: '../x/eth0' }] }, /not a container name/],
      [{ targets: [target, { ...secondTarget, name: 'n'.repeat(201) }] }, /not a container name/],
      [{ targets: [target, { ...secondTarget, pid: 1 }] }, /PID is not valid/],
      [{ targets: [target, secondTarget], request: { container: target.name, direction: 'both', mode: { kind: 'bridge', bridge: 'docker0' } } }, /bridge capture takes one container/],
    ];
    for (const [overrides, why] of cases) {
      const c = await channel();
      writeRequest(c.requestPath, request(c, overrides));
      assertRefused(await helper(c.requestPath), c, why);
    }
  });

  it('a process outside any container, in a cgroup whose path merely contains the container id: refused, nothing started', async () => {
    // Its own network namespace, so only the cgroup check stands between it and a capture.
    const cgroup = `/sys/fs/cgroup/unified/dnc-sec-${target.id}`;
    mkdirSync(cgroup);
    const impostor = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
    try {
      const pid = impostor.pid as number;
      for (let i = 0; i < 50 && !readProc(`/proc/${pid}/comm`).startsWith('sleep'); i++) await sleep(50);
      writeFileSync(`${cgroup}/cgroup.procs`, String(pid));
      assert.match(readProc(`/proc/${pid}/cgroup`), new RegExp(target.id), 'the impostor carries the id in its cgroup path');
      const c = await channel();
      writeRequest(c.requestPath, request(c, { target: { ...target, pid } }));
      const r = await helper(c.requestPath);
      assert.equal(r.code, 1, r.stderr);
      const ended = c.connections[0]?.messages.find((m) => m.type === 'ended');
      assert.ok(ended && ended.type === 'ended', JSON.stringify(c.connections));
      assert.match(ended.error?.message ?? '', new RegExp(`process ${pid} is not container`));
      assert.deepEqual(recorder.execs(), [], 'tcpdump or nsenter was executed');
    } finally {
      impostor.kill('SIGKILL');
      await new Promise((r) => impostor.once('exit', r));
      for (let i = 0; i < 50 && existsSync(cgroup); i++) {
        try {
          rmdirSync(cgroup);
        } catch {
          await sleep(50);
        }
      }
    }
  });

  it("bridge mode: a name that is not a bridge, or a bridge without the container, is refused; the MAC filter is the namespace's, not the request's", async () => {
    const lonely = `dncsecbr${randomBytes(2).toString('hex')}`;
    execFileSyncQuiet('ip', ['link', 'add', lonely, 'type', 'bridge']);
    try {
      for (const [bridge, why] of [['lo', /lo is not a bridge on this host/], [lonely, /is not attached to bridge/]] as const) {
        const c = await channel();
        writeRequest(c.requestPath, request(c, { request: { container: target.name, direction: 'both', mode: { kind: 'bridge', bridge }, limits: { durationSeconds: 1 } } }));
        const r = await helper(c.requestPath);
        assert.equal(r.code, 1, r.stderr);
        const ended = c.connections[0]?.messages.find((m) => m.type === 'ended');
        assert.ok(ended && ended.type === 'ended' && ended.error?.code === 'invalid-request', JSON.stringify(c.connections));
        assert.match(ended.error?.message ?? '', why);
        assert.deepEqual(recorder.execs().filter((argv) => argv.includes('/usr/bin/tcpdump')), [], `tcpdump ran on ${bridge}`);
      }
    } finally {
      execFileSyncQuiet('ip', ['link', 'del', lonely]);
    }
    // The real bridge: accepted, and the MAC a request claims for the container is not what is captured.
    const c = await channel();
    const claimed = '02:42:de:ad:be:ef';
    writeRequest(c.requestPath, request(c, { target: { ...target, networks: [{ name: 'bridge', mac: claimed }] }, request: { container: target.name, direction: 'both', mode: { kind: 'bridge', bridge: 'docker0' }, limits: { durationSeconds: 1 } } }));
    const r = await helper(c.requestPath);
    assert.equal(r.code, 0, r.stderr);
    const expression = recorder.execs().find((argv) => argv[0] === '/usr/bin/tcpdump')?.at(-1) ?? '';
    assert.ok(!expression.includes(claimed), expression);
    assert.match(expression, /^\(ether host 02:42:[0-9a-f:]{11}\)$/, expression);
  });

  it("the container's own files are never read: a FIFO planted where sysfs was does not hang the root helper", async () => {
    // A container allowed to mount can replace its /sys; root must learn interfaces over netlink instead.
    const name = uniqueName('dnc-sec-fifo');
    // Removed in `finally` even when it fails to start (a created container stays otherwise).
    try {
      const running = runContainer(name, ['--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined'], ['sh', '-c', 'busybox umount -l /sys && busybox mkdir -p /sys/class/net/eth0 /sys/class/net/lo && busybox mkfifo /sys/class/net/eth0/flags /sys/class/net/eth0/type /sys/class/net/eth0/address /sys/class/net/lo/flags /sys/class/net/lo/type && exec sleep 600']);
      for (let i = 0; i < 50 && !running.exec('busybox', 'ls', '/sys/class/net/eth0').includes('flags'); i++) await sleep(100);
      const fifoTarget = await createDockerClient(DOCKER_HOST).resolveContainer(name);
      const c = await channel();
      writeRequest(c.requestPath, request(c, { target: fifoTarget, request: { container: name, direction: 'both', mode: { kind: 'namespace' }, limits: { durationSeconds: 1 } } }));
      const r = await helper(c.requestPath);
      assert.equal(r.code, 0, `the helper did not finish: ${r.stderr}`);
      const started = c.connections[0]?.messages.find((m) => m.type === 'started');
      assert.ok(started && started.type === 'started', JSON.stringify(c.connections));
      assert.deepEqual(started.interfaces, ['eth0', 'lo']);
    } finally {
      removeContainers(name);
    }
  });

  it("a request directory swapped for someone else's while the helper works (shared TMPDIR without the sticky bit): the helper never connects anywhere else", async () => {
    // The attacker (another local user) may rename entries of the shared directory. It
    // keeps swapping the user's channel directory for a symlink to its own directory,
    // which holds a socket it listens on: mostly the real directory (so the checks
    // pass), briefly the symlink (so a later lookup by name lands in the trap).
    const shared = mkdtempSync(join(tmpdir(), 'dnc-sec-shared-'));
    chmodSync(shared, 0o777);
    const attacker = uidOf(OTHER_USER);
    const trap = join(shared, 'trap');
    const attack = `
      const net = require('net'), fs = require('fs');
      const shared = ${JSON.stringify(shared)}, trap = ${JSON.stringify(trap)};
      fs.mkdirSync(trap, { mode: 0o777 });
      fs.chmodSync(trap, 0o777);
      // Listening is enough: a connection completes in the kernel's backlog even while this loop spins.
      net.createServer(() => undefined).listen(trap + '/capture.sock', () => {
        fs.chmodSync(trap + '/capture.sock', 0o777);
        process.stdout.write('ready\\n');
        setTimeout(swap, 10);
      });
      const spin = (us) => { const end = process.hrtime.bigint() + BigInt(us * 1000); while (process.hrtime.bigint() < end); };
      function swap() {
        const stop = Date.now() + 120000;
        let name = '';
        for (let i = 0; Date.now() < stop; i++) {
          if (i % 64 === 0) { try { name = fs.readFileSync(shared + '/current', 'utf8'); } catch {} }
          if (!name) { spin(100); continue; }
          const user = shared + '/' + name;
          try { fs.renameSync(user, shared + '/aside'); } catch { spin(50); continue; }
          try { fs.symlinkSync(trap, user); spin(15); fs.unlinkSync(user); } catch {}
          try { fs.renameSync(shared + '/aside', user); } catch {}
          spin(60);
        }
        process.exit(0);
      }`;
    const swapper = spawn('setpriv', [`--reuid=${attacker}`, `--regid=${attacker}`, '--clear-groups', process.execPath, '-e', attack], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => swapper.stdout.once('data', () => resolve()));
      let reachedUser = 0;
      let redirected = 0;
      for (let attempt = 0; attempt < 60 && redirected === 0; attempt++) {
        // Set up under another name, then moved into place: the attacker only swaps the finished directory.
        const name = `chan-${attempt}`;
        const c = await channel(join(shared, `prep-${attempt}`));
        // A PID that is not the container's: the helper connects, says why, and exits at once.
        writeRequest(c.requestPath, request(c, { socketPath: join(shared, name, 'capture.sock'), target: { ...target, pid: process.pid } }));
        renameSync(c.dir, join(shared, name));
        writeFileSync(join(shared, 'current'), name, { mode: 0o644 });
        const r = await helper(join(shared, name, 'request.json'));
        writeFileSync(join(shared, 'current'), '', { mode: 0o644 });
        // Exit 1 means it connected somewhere and reported there; 3 means it refused before connecting.
        assert.ok(r.code === 1 || r.code === 3, `attempt ${attempt}: exit ${r.code}: ${r.stderr}`);
        if (c.connections.length > 0) reachedUser++;
        else if (r.code === 1) redirected++;
      }
      assert.equal(redirected, 0, "the helper connected to the attacker's socket");
      assert.ok(reachedUser > 0, 'no attempt reached the real socket (the test proved nothing)');
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((r) => swapper.once('exit', r));
      rmSync(shared, { recursive: true, force: true });
    }
  });
});

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function execFileSyncQuiet(file: string, args: string[]): void {
  execFileSync(file, args, { stdio: 'ignore' });
}
