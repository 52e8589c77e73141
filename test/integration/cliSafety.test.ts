/**
 * What the CLI runs as, what it writes, and how it fails: each case on the real
 * engine, asserting what a user would see.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, sleep, startCli, CLI } from '../support/cliRunner';
import { daemonConnectionsOf, processTree, type DaemonConnection } from '../support/daemonConnections';
import { docker, DOCKER_HOST, removeContainers, REPO, runContainer, uniqueName } from '../support/dockerFixture';
import { childrenOf, identityOf } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';

const NOBODY = 65534;
const DAEMON_SOCKET = DOCKER_HOST.slice('unix://'.length);

/** Running, and not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** What sudo tells the program it runs: the user (and group) who ran sudo. */
const SUDO_USER = { SUDO_UID: '4242', SUDO_GID: '4243', SUDO_USER: 'dnc-nobody-in-particular' };

/** The root CLI's private channel directories (src/cli/hostCapture.ts). */
function channelDirectories(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith('dnc-cli-'));
}

describe('CLI privileges, files and errors', { timeout: 180_000 }, () => {
  let scene: TestScene;
  let dir: string;
  before(async () => {
    scene = await createScene('safe');
    dir = mkdtempSync(join(tmpdir(), 'dnc-it-'));
  });
  after(() => {
    scene?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every process that reads packets runs as nobody with no supplementary groups', async () => {
    const cli = startCli([scene.client.name]);
    await cli.listening;
    scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    await sleep(200);
    const pid = cli.child.pid as number;
    // The CLI, the helper it started, and the helper's tcpdumps.
    const identities = processTree(pid).map(identityOf);
    assert.ok(identities.filter((p) => p.name === 'tcpdump').length >= 3, JSON.stringify(identities)); // eth0, eth1, lo
    for (const p of identities) {
      assert.deepEqual(p.uids, [NOBODY, NOBODY, NOBODY, NOBODY], `${p.name} (${p.pid}) uids`);
      assert.ok(p.gids.every((g) => g !== 0), `${p.name} (${p.pid}) gids ${p.gids.join(' ')}`);
      assert.ok(p.groups.every((g) => g !== 0), `${p.name} (${p.pid}) supplementary groups ${p.groups.join(' ')}`);
    }
    assert.deepEqual(identityOf(pid).groups, [], 'the parser keeps no supplementary groups');
    assert.equal(await cli.interrupt(), 0);
  });

  it('the processes that decode packets have no_new_privs and no capabilities, not even in the bounding set; the CLI itself only relays', async () => {
    const cli = startCli(['-j', scene.client.name]);
    await cli.listening;
    scene.client.exec('ping', '-c', '1', '-W', '2', scene.serverIpv4);
    await sleep(300);
    const pid = cli.child.pid as number;
    const status = (p: number): Record<string, string> =>
      Object.fromEntries(readFileSync(`/proc/${p}/status`, 'utf8').split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    const tree = processTree(pid);
    // The CLI's own printing process and the helper's packet reader: the two that parse packet bytes.
    const parsers = tree.filter((p) => ['dnc-cli-printer', 'dnc-pkt-reader'].includes(identityOf(p).name));
    assert.deepEqual(parsers.map((p) => identityOf(p).name).sort(), ['dnc-cli-printer', 'dnc-pkt-reader'], tree.map((p) => `${p} ${identityOf(p).name}`).join(', '));
    const printer = parsers.find((p) => identityOf(p).name === 'dnc-cli-printer') as number;
    assert.ok(childrenOf(pid).includes(printer), 'the printer is the CLI\'s own child');
    assert.match(cli.stderr(), new RegExp(`packets are decoded by process ${printer},`));
    for (const p of parsers) {
      const s = status(p);
      assert.equal(s.NoNewPrivs, '1', `${s.Name} (${p}) NoNewPrivs`);
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) assert.equal(s[set], '0000000000000000', `${s.Name} (${p}) ${set}`);
      assert.deepEqual(identityOf(p).uids, [NOBODY, NOBODY, NOBODY, NOBODY], `${s.Name} (${p}) uids`);
      assert.deepEqual(identityOf(p).groups, [], `${s.Name} (${p}) groups`);
    }
    // The CLI parent: nobody, and no longer holding the channel, which only the printer reads.
    assert.deepEqual(identityOf(pid).uids, [NOBODY, NOBODY, NOBODY, NOBODY]);
    assert.deepEqual(identityOf(pid).groups, []);
    const links = (p: number): string[] =>
      readdirSync(`/proc/${p}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${p}/fd/${fd}`);
        } catch {
          return '';
        }
      });
    const channel = readlinkSync(`/proc/${printer}/fd/3`);
    assert.match(channel, /^socket:/);
    assert.ok(!links(pid).includes(channel), `the CLI parent still holds the channel ${channel}`);
    // And what it prints is still right.
    assert.equal(await cli.interrupt(), 0, cli.stderr());
    assert.ok((JSON.parse(cli.stdout()) as { protocol: string }[]).some((r) => r.protocol === 'ICMP'));
    assert.match(cli.stderr(), /capture ended: stopped; \d+ packets/);
  });

  it("no process of the CLI's tree holds a connection to the Docker daemon while packets are read", async () => {
    // The detector first, on a process known to hold one: `docker events` keeps a connection open.
    const events = spawn('docker', ['events'], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' });
    try {
      let seen: DaemonConnection[] = [];
      for (let i = 0; i < 50 && seen.length === 0; i++) {
        await sleep(100);
        seen = daemonConnectionsOf([events.pid as number], DAEMON_SOCKET);
      }
      assert.equal(seen.length, 1, 'the check finds the connection of a process that has one');
    } finally {
      events.kill();
    }

    const cli = startCli(['--duration', '6', scene.client.name]);
    await cli.listening;
    const pid = cli.child.pid as number;
    scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    // Checked twice, packets having flowed in between: nothing reopens a connection later either.
    for (let round = 0; round < 2; round++) {
      const me = identityOf(pid);
      assert.deepEqual(me.uids, [NOBODY, NOBODY, NOBODY, NOBODY]);
      assert.deepEqual(me.groups, []);
      const tree = processTree(pid);
      assert.deepEqual(daemonConnectionsOf(tree, DAEMON_SOCKET), [], 'a descriptor connected to the daemon');
      assert.ok(tree.length >= 5, `the CLI, the helper and three tcpdumps: ${tree.join(' ')}`);
      await sleep(1500);
    }
    assert.equal(await cli.exit, 0, cli.stderr());
    assert.match(cli.stdout(), /^OUT: /m);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} to the CLI stops the helper and every tcpdump, and -j still prints its array`, async () => {
      const channelsBefore = channelDirectories();
      const cli = startCli(['-j', scene.client.name]);
      await cli.listening;
      const pid = cli.child.pid as number;
      // Recorded while the capture runs: once the CLI is gone, its children belong to PID 1.
      const tree = processTree(pid).filter((p) => p !== pid);
      const tcpdumps = tree.filter((p) => identityOf(p).name === 'tcpdump');
      const reported = /tcpdump PIDs ([\d, ]+)\)/.exec(cli.stderr())?.[1]?.split(', ').map(Number) ?? [];
      assert.ok(tcpdumps.length >= 3, cli.stderr());
      assert.deepEqual([...tcpdumps].sort(), [...reported].sort(), 'the tcpdumps below the CLI are those it reported');
      scene.client.exec('ping', '-c', '1', '-W', '2', scene.serverIpv4);
      await sleep(300);
      cli.child.kill(signal);
      const code = await cli.exit;
      let alive = tree.filter(isAlive);
      for (let i = 0; i < 50 && alive.length > 0; i++) {
        await sleep(100);
        alive = tree.filter(isAlive);
      }
      const leftovers = alive.map((p) => `${p} ${identityOf(p).name}`).join(', ');
      for (const p of alive) process.kill(p, 'SIGKILL'); // a failed run leaves nothing behind either
      assert.deepEqual(alive, [], `left running after ${signal}: ${leftovers}`);
      assert.equal(code, 0, cli.stderr());
      assert.ok((JSON.parse(cli.stdout()) as { protocol: string }[]).some((r) => r.protocol === 'ICMP'));
      assert.deepEqual(channelDirectories().filter((d) => !channelsBefore.includes(d)), [], 'the channel directory is removed');
    });
  }

  it('-w writes a pcap that tshark reads back with the same packets, alongside -j', async () => {
    const file = join(dir, 'capture.pcap');
    const cli = startCli(['-j', '-w', file, '-f', 'tcp port 80', scene.client.name]);
    await cli.listening;
    scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    await sleep(300);
    assert.equal(await cli.interrupt(), 0, cli.stderr());
    const records = JSON.parse(cli.stdout()) as unknown[];
    const tshark = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'tcp.dstport'], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(tshark.length, records.length);
    assert.ok(tshark.includes('80'));
    // -r reads it back without root or Docker, in the same format.
    const again = await runCli(['-r', file, '-j'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as unknown[]).length, records.length);
  });

  it('-w under sudo: a new file is 0600 and belongs to the user who ran sudo', async () => {
    const file = join(dir, 'for-user.pcap');
    const r = await runCli(['-w', file, '--duration', '1', scene.client.name], SUDO_USER);
    assert.equal(r.code, 0, r.stderr);
    const st = statSync(file);
    assert.equal(st.mode & 0o777, 0o600, 'readable by its owner only');
    assert.deepEqual([st.uid, st.gid], [4242, 4243]);
    assert.equal(readFileSync(file).readUInt32LE(0), 0xa1b2c3d4);
  });

  it("-w under sudo: the user's own file is overwritten; someone else's is refused and left as it was", async () => {
    const mine = join(dir, 'mine.pcap');
    writeFileSync(mine, 'an older capture, longer than a pcap header');
    chownSync(mine, 4242, 4243);
    const ok = await runCli(['-w', mine, '--duration', '1', scene.client.name], SUDO_USER);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(readFileSync(mine).readUInt32LE(0), 0xa1b2c3d4);
    assert.equal(statSync(mine).uid, 4242);

    const foreign = join(dir, 'roots.pcap');
    writeFileSync(foreign, 'precious', { mode: 0o644 });
    const refused = await runCli(['-w', foreign, '--duration', '1', scene.client.name], SUDO_USER);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^docker-network-capture: error: -w ".*roots\.pcap": the existing file belongs to uid 0, not to you \(uid 4242\); nothing was written\n$/);
    assert.equal(refused.stdout, '');
    assert.equal(readFileSync(foreign, 'utf8'), 'precious');
  });

  it('-w refuses a FIFO, a device and a directory with one line, without blocking', async () => {
    const fifo = join(dir, 'fifo.pcap');
    execFileSync('mkfifo', [fifo]);
    for (const [path, kind] of [[fifo, 'a FIFO'], ['/dev/null', 'a device'], [dir, 'a directory']] as const) {
      const r = await runCli(['-w', path, '--duration', '1', scene.client.name], {}, 15_000);
      assert.equal(r.code, 1, `${path}: ${r.stderr}`);
      assert.equal(r.stderr, `docker-network-capture: error: -w ${JSON.stringify(path)}: ${kind} is there, not a regular file; nothing was written\n`);
    }
  });

  it('the root command line it gives names node and this CLI by absolute path, never npx', () => {
    let code = 0;
    let stderr = '';
    try {
      // --via host: without it, a CLI run without root captures through a helper container instead.
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, '--via', 'host', scene.client.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      code = (err as { status: number }).status;
      stderr = (err as { stderr: string }).stderr;
    }
    assert.equal(code, 1);
    assert.equal(stderr, `docker-network-capture: error: capturing needs root: run it as  sudo ${process.execPath} ${realpathSync(CLI)} ${scene.client.name}  (reading a file with -r does not)\n`);
  });

  it('without root and with no --via, it does not ask for root: it takes the helper container path', () => {
    let stderr = '';
    try {
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, '--verbose', '-d', 'unix:///nonexistent/docker.sock', scene.client.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      stderr = (err as { stderr: string }).stderr;
    }
    assert.match(stderr, /capture path: helper container/);
    assert.doesNotMatch(stderr, /needs root/);
  });

  it('the documented `sudo node /abs/path/dist/cli.js` runs this CLI even below a planted node_modules/.bin', () => {
    // npx would run the planted one: it searches node_modules/.bin upward from the current directory.
    const top = mkdtempSync(join(tmpdir(), 'dnc-it-planted-'));
    const canary = join(top, 'planted-ran');
    try {
      mkdirSync(join(top, 'node_modules', '.bin'), { recursive: true });
      writeFileSync(join(top, 'node_modules', '.bin', 'docker-network-capture'), `#!/bin/sh\ntouch ${canary}\n`, { mode: 0o755 });
      mkdirSync(join(top, 'project'));
      const out = execFileSync('sudo', ['-n', process.execPath, realpathSync(CLI), '-r', join(REPO, 'test', 'fixtures', 'loopback-http.pcap'), '-j'], {
        cwd: join(top, 'project'),
        encoding: 'utf8',
      });
      const records = JSON.parse(out) as { dst_port: string; payload: string }[];
      assert.ok(records.some((r) => r.dst_port === '8080' && r.payload.startsWith(Buffer.from('GET /').toString('hex'))));
      assert.equal(existsSync(canary), false, 'the planted program ran');
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });

  it('says clearly when the container does not exist', async () => {
    const r = await runCli(['no-such-container-xyz']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no such container.*no-such-container-xyz/i);
    assert.equal(r.stdout, '');
  });

  it('says clearly when the container is not running', async () => {
    const name = uniqueName('dnc-stopped');
    runContainer(name, ['--network', 'none'], ['true']);
    for (let i = 0; i < 50 && docker('inspect', '-f', '{{.State.Running}}', name) === 'true'; i++) await sleep(100);
    try {
      const r = await runCli([name]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not running/i);
    } finally {
      removeContainers(name);
    }
  });

  it('says clearly when Docker is unreachable', async () => {
    const r = await runCli(['-d', 'unix:///nonexistent/docker.sock', scene.client.name]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /docker.*(unreachable|not reachable|cannot connect)/i);
  });

  it('says how to install tcpdump when it is missing', async () => {
    // A private mount namespace hides tcpdump from this one process only.
    const script = 'for d in /usr/bin /usr/sbin; do [ -e $d/tcpdump ] && mount --bind /dev/null $d/tcpdump; done; exec "$0" "$@"';
    let code = 0;
    let stderr = '';
    try {
      execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, CLI, scene.client.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      code = (err as { status: number }).status;
      stderr = (err as { stderr: string }).stderr;
    }
    assert.equal(code, 1);
    assert.match(stderr, /tcpdump is not installed.*apt-get install tcpdump/);
  });

  it('refuses a container that uses the host network, saying what can be captured', async () => {
    const name = uniqueName('dnc-hostnet');
    runContainer(name, ['--network', 'host'], ['sleep', '60']);
    try {
      const r = await runCli([name]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /host's network.*tcpdump/);
    } finally {
      removeContainers(name);
    }
  });

  it('captures the loopback of a container with --network none, and says that is all there is', async () => {
    const name = uniqueName('dnc-nonet');
    runContainer(name, ['--network', 'none'], ['sleep', '60']);
    try {
      const cli = startCli(['-j', name]);
      await cli.listening;
      assert.match(cli.stderr(), /only its loopback can be captured/);
      docker('exec', name, 'ping', '-c', '1', '127.0.0.1');
      await sleep(300);
      assert.equal(await cli.interrupt(), 0);
      const records = JSON.parse(cli.stdout()) as { interface: string }[];
      assert.ok(records.length >= 2 && records.every((r) => r.interface === 'lo'));
    } finally {
      removeContainers(name);
    }
  });

  it('rejects an invalid capture filter with tcpdump’s reason, and option-like filters never reach tcpdump', async () => {
    const bad = await runCli(['-f', 'tcp port eighty', scene.client.name]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /tcpdump failed:.*(syntax|unknown|illegal|port)/i);
    const optionLike = await runCli(['-f', '-w /tmp/dnc-owned', scene.client.name]);
    assert.equal(optionLike.code, 1);
    assert.match(optionLike.stderr, /must not start with "-"/);
    const escape = await runCli(['-b', 'docker0', '-f', 'tcp) or (udp', scene.client.name]);
    assert.equal(escape.code, 1);
    assert.match(escape.stderr, /unmatched/);
    assert.throws(() => readFileSync('/tmp/dnc-owned'));
  });
});
