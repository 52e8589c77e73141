/**
 * Full captures through an ssh:// engine, with the CLI as a user runs it: a private sshd
 * on loopback (Debian's openssh-server, a throw-away user whose `docker system
 * dial-stdio` reaches the project's private daemon), the key in an ssh-agent, the host
 * key in known_hosts. The CLI picks the helper container by itself (the engine is
 * remote), prints the packets of a wget and a ping between two containers, and writes
 * the same packets to -w. Then the faults: the ssh connection cut mid-capture, and an
 * endpoint where nothing answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName } from '../../src/client/dockerContexts';
import { runCli } from '../support/cliRunner';
import { DOCKER_HOST, docker, ensureDaemon, uniqueName } from '../support/dockerFixture';
import { createTestUser, deleteTestUser, type TestUser } from '../support/endpointTestUser';
import { ensureHelperImages, helperContainers, helpersGone, HELPER_IMAGE } from '../support/helperContainerFixture';
import { freePort } from '../support/freePort';
import { addToRootSshFile, startPrivateSshd, startSshAgent, type PrivateSshd } from '../support/privateSshd';
import { childrenOf, identityOf } from '../support/processTree';
import { assertAgreesWithTshark, assertHttpAndPing, captureWithCli, parsePrintedPackets, startHttpPair, tsharkPackets, type HttpPair } from '../support/remoteCaptureCheck';

const suffix = uniqueName('x').slice(-6);
const userName = `dnc-rcs-${suffix}`;
const contextName = `dnc-ssh-${suffix}`;
let user: TestUser | undefined;
let sshd: PrivateSshd | undefined;
let agent: { socket: string; stop(): void } | undefined;
let pair: HttpPair | undefined;
let work = '';
let endpoint = '';
const undo: Array<{ undo(): void }> = [];

/** What the CLI gets: no DOCKER_HOST, an empty docker config (contexts added by a test), the agent. */
function cliEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: os.userInfo().homedir, SSH_AUTH_SOCK: agent?.socket, DOCKER_CONFIG: path.join(work, 'docker-config') };
}

before(async () => {
  ensureDaemon();
  ensureHelperImages();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-rcs-'));
  fs.mkdirSync(path.join(work, 'docker-config'));
  user = createTestUser(userName);
  const key = path.join(work, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', userName, '-f', key]);
  sshd = await startPrivateSshd(user, fs.readFileSync(`${key}.pub`, 'utf8'), DOCKER_HOST, ['127.0.0.1']);
  const scanned = execFileSync('ssh-keyscan', ['-t', 'ed25519', '-p', String(sshd.port), '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(scanned, /ssh-ed25519/);
  undo.push(addToRootSshFile('known_hosts', scanned, `dnc remote capture test ${suffix}`));
  agent = startSshAgent(work, key);
  endpoint = `ssh://${userName}@127.0.0.1:${sshd.port}`;
  pair = startHttpPair(docker, 'rcs');
});

after(async () => {
  pair?.dispose();
  agent?.stop();
  for (const u of undo.reverse()) u.undo();
  await sshd?.stop();
  if (user) deleteTestUser(user);
  if (work) fs.rmSync(work, { recursive: true, force: true });
  // Removed whatever a failed test left, then told: the shared daemon stays clean either way.
  const left = await helpersGone();
  for (const name of left) docker('rm', '-f', name);
  assert.deepEqual(left, [], 'no helper container left on the engine');
});

function commonArgs(): string[] {
  return ['--helper-image', HELPER_IMAGE, '-f', 'tcp or icmp', pair?.client ?? ''];
}

test('ssh://user@127.0.0.1: the CLI chooses the helper container and prints the wget and ping that tshark reads from -w', { timeout: 90_000 }, async () => {
  const p = pair as HttpPair;
  const run = await captureWithCli({ args: ['-d', endpoint, ...commonArgs()], env: cliEnv(), pcap: path.join(work, 'ssh.pcap'), traffic: p.traffic });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /capture path: helper container \(/);
  assert.match(run.stderr, new RegExp(`docker endpoint: ${endpoint.replace(/\./g, '\\.')}; capturing through helper containers`));
  assert.match(run.stderr, /capturing on eth0, lo/);
  assert.doesNotMatch(run.stderr, /Warning|EPIPE/, 'nothing but the CLI\'s own lines on stderr');
  assertHttpAndPing(assertAgreesWithTshark(run, p.clientIp, assert), p.serverIp, assert);
  assert.deepEqual(await helpersGone(), []);
});

test('--context NAME with that ssh endpoint captures the same way', { timeout: 90_000 }, async () => {
  const p = pair as HttpPair;
  const meta = path.join(work, 'docker-config', 'contexts', 'meta', contextDirName(contextName));
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: contextName, Metadata: {}, Endpoints: { docker: { Host: endpoint, SkipTLSVerify: false } } }));
  const run = await captureWithCli({ args: ['--context', contextName, ...commonArgs()], env: cliEnv(), pcap: path.join(work, 'context.pcap'), traffic: p.traffic });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`docker endpoint: ${endpoint.replace(/\./g, '\\.')};`));
  assertHttpAndPing(assertAgreesWithTshark(run, p.clientIp, assert), p.serverIp, assert);
  assert.deepEqual(await helpersGone(), []);
});

test('a capture idle for 40 s over ssh (past every request and idle timeout) still prints what comes after', { timeout: 120_000 }, async () => {
  const p = pair as HttpPair;
  const run = await captureWithCli({ args: ['-d', endpoint, ...commonArgs()], env: cliEnv(), pcap: path.join(work, 'idle.pcap'), traffic: p.traffic, quietMs: 40_000, timeoutMs: 100_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /error|Warning/, run.stderr);
  assertHttpAndPing(assertAgreesWithTshark(run, p.clientIp, assert), p.serverIp, assert);
  assert.deepEqual(await helpersGone(), []);
});

test('the ssh transport killed mid-capture: one error line, exit 1, the packets so far printed and in -w, no helper left', { timeout: 90_000 }, async () => {
  const p = pair as HttpPair;
  const run = await captureWithCli({
    args: ['-d', endpoint, ...commonArgs()],
    env: cliEnv(),
    pcap: path.join(work, 'cut.pcap'),
    traffic: p.traffic,
    end: ({ pid }) => {
      // The ssh children of the CLI carry its connections to the engine: the attach streams among them.
      const transports = childrenOf(pid).filter((c) => identityOf(c).name === 'ssh');
      assert.ok(transports.length > 0, 'the CLI reaches the engine through ssh processes');
      for (const t of transports) process.kill(t, 'SIGKILL');
    },
  });
  assert.equal(run.code, 1, run.stderr);
  const errors = run.stderr.split('\n').filter((l) => /error/i.test(l));
  assert.equal(errors.length, 1, run.stderr);
  assert.match(errors[0] ?? '', new RegExp(`^docker-network-capture: error: lost the connection to Docker at ${endpoint.replace(/\./g, '\\.')} \\(the ssh process to ${userName}@127\\.0\\.0\\.1 port \\d+ was killed \\(SIGKILL\\)\\); the packets captured until then are kept$`));
  const printed = parsePrintedPackets(run.stdout);
  assert.ok(printed.length >= 8, `packets printed before the cut: ${printed.length}`);
  // tcpdump's counts come on the helpers' stderr, over the stream that was cut: not "0 captured".
  assert.match(run.stderr, new RegExp(`tcpdump's own packet counts did not arrive; ${printed.length} frames delivered`));
  assert.equal(tsharkPackets(run.pcap).length, printed.length, 'the -w file holds what was printed');
  assertHttpAndPing(assertAgreesWithTshark(run, p.clientIp, assert), p.serverIp, assert);
  assert.deepEqual(await helpersGone(), [], 'the CLI removed its helpers over a new ssh connection');
});

test('the sshd sessions cut while logins are refused: the helpers stay until the next capture removes them', { timeout: 120_000 }, async () => {
  const p = pair as HttpPair;
  const keys = path.join(user?.home ?? '', '.ssh', 'authorized_keys');
  const saved = fs.readFileSync(keys);
  const run = await captureWithCli({
    args: ['-d', endpoint, ...commonArgs()],
    env: cliEnv(),
    pcap: path.join(work, 'outage.pcap'),
    traffic: p.traffic,
    end: () => {
      // An outage: the sessions end and nothing can log in again until it is over.
      fs.writeFileSync(keys, '');
      assert.ok((sshd?.cutSessions() ?? 0) > 0, 'ssh sessions to cut');
    },
  });
  let left: string[];
  try {
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^docker-network-capture: error: lost the connection to Docker at ${endpoint.replace(/\./g, '\\.')} \\((the ssh connection to ${userName}@127\\.0\\.0\\.1 port \\d+ was cut \\(.*\\)|ssh refused the login as ${userName}@127\\.0\\.0\\.1 port \\d+ .*)\\); the packets captured until then are kept$`, 'm'));
    assert.ok(parsePrintedPackets(run.stdout).length >= 8, 'the packets before the cut are printed');
    assertAgreesWithTshark(run, p.clientIp, assert);
    // A helper whose tcpdump writes again after its attach stream is gone exits (and is
    // auto-removed); the loopback one sees no traffic after the cut and stays.
    left = helperContainers();
    assert.ok(left.some((n) => n.includes('-lo-')), `the helpers could not be removed: ${left.join(', ')}`);
  } finally {
    fs.writeFileSync(keys, saved);
  }
  // Reconnected: the next capture's start removes what the cut one left.
  const next = await captureWithCli({ args: ['-d', endpoint, '--count', '1', ...commonArgs()], env: cliEnv(), pcap: path.join(work, 'next.pcap'), traffic: p.traffic, end: () => undefined });
  assert.equal(next.code, 0, next.stderr);
  const removed = /removed \d helper container\(s\) left by an earlier capture: (.*)$/m.exec(next.stderr);
  assert.ok(removed, next.stderr);
  const names = (removed[1] ?? '').split(', ');
  assert.ok(names.some((n) => n.includes('-lo-')) && names.every((n) => left.includes(n)), `the helpers the cut capture left: ${names.join(', ')}`);
  assert.deepEqual(await helpersGone(), []);
});

test('an ssh endpoint where nothing listens: one line naming it, exit 1', { timeout: 60_000 }, async () => {
  const dead = `ssh://${userName}@127.0.0.1:${await freePort()}`;
  const r = await runCli(['--helper-image', HELPER_IMAGE, '-d', dead, pair?.client ?? ''], cliEnv(), 45_000);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^docker-network-capture: error: Docker is not reachable at ${dead.replace(/\./g, '\\.')}: connection to ${userName}@127\\.0\\.0\\.1 port \\d+ refused`));
  assert.equal(r.stdout, '');
});
