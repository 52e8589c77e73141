/**
 * Capture Project Traffic through the host helper, as an ordinary user through
 * @vscode/sudo-prompt and the real pkexec (polkit's rule for the test user
 * stands in for the password dialog): ONE helper captures every container of
 * the project (both report the same helper PID, which runs as nobody), each
 * container's frames arrive under its own name, a container that stops leaves
 * while the other is still captured, and a container of the project that
 * starts later joins through a second helper: for this user polkit answers
 * without a prompt. For a user polkit would ask a password of, the same check
 * says "prompt": that user's capture tells them instead (unit-tested).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { docker, DOCKER_HOST, ensureDaemon, removeContainers, removeNetwork, REPO, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { processesMatching } from '../support/processTree';

const USER = 'dnc-e2e';
const NOAGENT_USER = 'dnc-noagent';
const HELPER = join(REPO, 'dist', 'helper.js');
const LABEL = 'com.docker.compose.project';

interface ProbeEvent {
  event: string;
  container?: string;
  [key: string]: unknown;
}

function asUser(user: string, script: string, ...args: string[]): ReturnType<typeof spawn> {
  // ulimit: pkexec closes every fd up to RLIMIT_NOFILE; a huge limit makes it crawl.
  return spawn('runuser', ['-u', user, '--', 'bash', '-c', `ulimit -n 4096; cd "$0"; exec node --import tsx ${script} "$@"`, REPO, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

function startProbe(project: string): { events: ProbeEvent[]; next(pred: (e: ProbeEvent) => boolean, what: string, ms?: number): Promise<ProbeEvent>; send(line: string): void; kill(): void } {
  const child = asUser(USER, 'test/support/hostGroupProbe.ts', project, process.execPath, HELPER, DOCKER_HOST);
  const events: ProbeEvent[] = [];
  const waiters: { pred: (e: ProbeEvent) => boolean; resolve: (e: ProbeEvent) => void }[] = [];
  if (!child.stdout || !child.stdin) throw new Error('no probe pipes');
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line) as ProbeEvent;
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const stdin = child.stdin;
  return {
    events,
    next: (pred, what, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const found = events.find(pred);
        if (found) return resolve(found);
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.filter((e) => e.event !== 'frame')).slice(0, 4000)}`)), ms);
        waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
      }),
    send: (line) => stdin.write(line + '\n'),
    kill: () => child.kill(),
  };
}

describe('Capture Project Traffic through the host helper: one elevation, one helper', { timeout: 180_000 }, () => {
  const project = `dnchg${process.pid % 100000}`;
  const network = uniqueName('dnc-hgroup-net');
  const containers: TestContainer[] = [];
  let server: TestContainer;
  let client: TestContainer;
  const inProject = ['--network', network, '--label', `${LABEL}=${project}`];

  before(() => {
    execFileSync('bash', [join(REPO, 'test', 'support', 'elevation-setup.sh')], { stdio: 'inherit' });
    ensureDaemon();
    docker('network', 'create', network);
    server = runContainer(uniqueName('dnc-hgroup-srv'), inProject, ['httpd', '-f', '-p', '80', '-h', '/www']);
    client = runContainer(uniqueName('dnc-hgroup-cli'), inProject, ['sleep', '600']);
    containers.push(server, client);
  });
  after(() => {
    removeContainers(...containers.map((c) => c.name));
    removeNetwork(network);
  });

  it('captures both containers with one helper, goes on when one stops, and lets a later container join', async () => {
    const probe = startProbe(project);
    try {
      const ready = await probe.next((e) => e.event === 'ready' || e.event === 'error', 'the capture to start');
      assert.equal(ready.event, 'ready', JSON.stringify(ready));
      const joined = probe.events.filter((e) => e.event === 'joined');
      assert.deepEqual(joined.map((e) => e.container).sort(), [client.name, server.name].sort());
      assert.equal(new Set(joined.map((e) => e.helperPid)).size, 1, 'one helper (one elevation) for both containers');
      for (const e of joined) {
        assert.equal(e.uid, 65534, 'the helper runs as nobody once it captures');
        assert.deepEqual((e.interfaces as string[]).sort(), ['eth0', 'lo'], `${String(e.container)}'s own interfaces, without the label`);
      }

      // By IP literal, between the project's own containers only.
      const serverIp = server.ipv4(network);
      client.exec('wget', '-q', '-O', '/dev/null', `http://${serverIp}/?group=1`);
      const sent = await probe.next((e) => e.event === 'frame' && e.container === client.name && String(e.info).includes('GET /?group=1'), 'the request in the client');
      assert.deepEqual([sent.iface, sent.direction, sent.dst], ['eth0', 'out', serverIp]);
      const received = await probe.next((e) => e.event === 'frame' && e.container === server.name && String(e.info).includes('GET /?group=1'), 'the request in the server');
      assert.deepEqual([received.iface, received.direction], ['eth0', 'in']);

      docker('stop', '-t', '1', client.name);
      const left = await probe.next((e) => e.event === 'left' && e.container === client.name, 'the client to leave');
      assert.match(String(left.reason), /container stopped|stopped/);
      assert.ok(!probe.events.some((e) => e.event === 'ended'), 'the capture goes on without the client');
      // The server is still captured: a request to itself, on its loopback.
      server.exec('wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/?still=1');
      const still = await probe.next((e) => e.event === 'frame' && e.container === server.name && String(e.info).includes('GET /?still=1'), 'the server still captured');
      assert.equal(still.iface, 'lo');

      // A container of the project that starts now joins: polkit lets this user in without a prompt.
      const late = runContainer(uniqueName('dnc-hgroup-late'), inProject, ['sleep', '600']);
      containers.push(late);
      const lateJoin = await probe.next((e) => (e.event === 'joined' && e.container === late.name) || e.event === 'notJoined', 'the late container to join');
      assert.equal(lateJoin.event, 'joined', JSON.stringify(lateJoin));
      assert.notEqual(lateJoin.helperPid, joined[0]?.helperPid, 'through a second helper');
      late.exec('wget', '-q', '-O', '/dev/null', `http://${serverIp}/?late=1`);
      await probe.next((e) => e.event === 'frame' && e.container === late.name && String(e.info).includes('GET /?late=1'), 'the late container\'s request');
      await probe.next((e) => e.event === 'frame' && e.container === server.name && String(e.info).includes('GET /?late=1'), 'the server\'s copy of it');

      probe.send('stop');
      await probe.next((e) => e.event === 'ended', 'the capture to end', 30_000);
    } finally {
      probe.kill();
    }
    // Nothing is left running: no helper, no tcpdump.
    let left: number[] = [];
    for (let i = 0; i < 50; i++) {
      left = processesMatching(HELPER);
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(left, [], 'no helper process is left');
  });

  it('tells a user polkit lets in without asking from one it would ask a password of', async () => {
    const answer = (user: string): string => execFileSync('runuser', ['-u', user, '--', 'bash', '-c', 'cd "$0"; exec node --import tsx test/support/passwordlessProbe.ts', REPO], { encoding: 'utf8' }).trim();
    assert.equal(answer(USER), 'passwordless');
    assert.equal(answer(NOAGENT_USER), 'prompt');
  });
});
