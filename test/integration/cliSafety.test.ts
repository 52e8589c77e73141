/**
 * What the CLI runs as, what it writes, and how it fails: each case on the real
 * engine, asserting what a user would see.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, sleep, startCli, CLI } from '../support/cliRunner';
import { docker, removeContainers, REPO, runContainer, uniqueName } from '../support/dockerFixture';
import { childrenOf, identityOf } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';

const NOBODY = 65534;

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
    const pipeline = [pid, ...childrenOf(pid)];
    const identities = pipeline.map(identityOf);
    assert.ok(identities.filter((p) => p.name === 'tcpdump').length >= 3, JSON.stringify(identities)); // eth0, eth1, lo
    for (const p of identities) {
      assert.deepEqual(p.uids, [NOBODY, NOBODY, NOBODY, NOBODY], `${p.name} (${p.pid}) uids`);
      assert.ok(p.gids.every((g) => g !== 0), `${p.name} (${p.pid}) gids ${p.gids.join(' ')}`);
      assert.ok(p.groups.every((g) => g !== 0), `${p.name} (${p.pid}) supplementary groups ${p.groups.join(' ')}`);
    }
    assert.deepEqual(identityOf(pid).groups, [], 'the parser keeps no supplementary groups');
    assert.equal(await cli.interrupt(), 0);
    await sleep(100);
    assert.deepEqual(childrenOf(pid), [], 'no tcpdump is left behind');
  });

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

  it('runs as `sudo npx docker-network-capture` from the repository after npm ci', () => {
    const out = execFileSync('sudo', ['-n', 'npx', '--no-install', 'docker-network-capture', '-r', join(REPO, 'test', 'fixtures', 'loopback-http.pcap'), '-j'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    const records = JSON.parse(out) as { dst_port: string; payload: string }[];
    assert.ok(records.some((r) => r.dst_port === '8080' && r.payload.startsWith(Buffer.from('GET /').toString('hex'))));
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

  it('says how to run it when not root', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, scene.client.name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
      resolve({ code: 0, stderr: out });
    }).catch((err: { status: number; stderr: string }) => ({ code: err.status, stderr: err.stderr }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs root.*sudo npx docker-network-capture/);
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
