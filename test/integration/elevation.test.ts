/**
 * Real elevation: an ordinary user starts a capture through @vscode/sudo-prompt
 * and the real pkexec (polkit's rule stands in for the password dialog).
 *
 * The runtime is a stand-in for Electron: like VS Code desktop's binary it runs
 * a script as Node only when ELECTRON_RUN_AS_NODE=1 is set, and pkexec clears
 * the environment, so this passes only if the root command sets it itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { DOCKER_HOST, REPO } from '../support/dockerFixture';
import { identityOf } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';

const USER = 'dnc-e2e';
const DENIED_USER = 'dnc-denied';
const NOAGENT_USER = 'dnc-noagent';
const HELPER = join(REPO, 'dist', 'helper.js');

interface ProbeEvent {
  event: string;
  [key: string]: unknown;
}

function startProbe(user: string, runtime: string, container: string): { events: ProbeEvent[]; next(pred: (e: ProbeEvent) => boolean, ms?: number): Promise<ProbeEvent>; send(line: string): void; kill(): void } {
  // ulimit: pkexec closes every fd up to RLIMIT_NOFILE; a huge limit makes it crawl.
  const child = spawn('runuser', ['-u', user, '--', 'bash', '-c', 'ulimit -n 4096; cd "$0"; exec node --import tsx test/support/elevatedCaptureProbe.ts "$@"', REPO, container, runtime, HELPER, DOCKER_HOST], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events: ProbeEvent[] = [];
  const waiters: { pred: (e: ProbeEvent) => boolean; resolve: (e: ProbeEvent) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line) as ProbeEvent;
    events.push(e);
    for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
  });
  return {
    events,
    next: (pred, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const found = events.find(pred);
        if (found) return resolve(found);
        const t = setTimeout(() => reject(new Error(`timed out; events: ${JSON.stringify(events)}`)), ms);
        waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
      }),
    send: (line) => child.stdin.write(line + '\n'),
    kill: () => child.kill(),
  };
}

describe('elevation through sudo-prompt and the real pkexec', { timeout: 180_000 }, () => {
  let scene: TestScene;
  let dir: string;
  let fakeElectron: string;
  before(async () => {
    execFileSync('bash', [join(REPO, 'test', 'support', 'elevation-setup.sh')], { stdio: 'inherit' });
    scene = await createScene('elev');
    dir = mkdtempSync(join(tmpdir(), 'dnc-electron-'));
    chmodSync(dir, 0o755);
    fakeElectron = join(dir, 'electron');
    writeFileSync(
      fakeElectron,
      `#!/bin/sh\n# Like Electron: a GUI app unless ELECTRON_RUN_AS_NODE=1.\nif [ "$ELECTRON_RUN_AS_NODE" != 1 ]; then echo "stand-in electron: would open a window" >&2; exit 97; fi\nexec ${process.execPath} "$@"\n`,
      { mode: 0o755 },
    );
  });
  after(() => {
    scene?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures as an ordinary user: the helper becomes root through pkexec, then nobody', async () => {
    const probe = startProbe(USER, fakeElectron, scene.client.name);
    try {
      const started = await probe.next((e) => e.event === 'started' || e.event === 'error');
      assert.equal(started.event, 'started', JSON.stringify(probe.events));
      assert.equal(started.uid, 65534);
      const ready = await probe.next((e) => e.event === 'ready');
      const channel = String(ready.channelDirectory);
      const owner = Number(execFileSync('stat', ['-c', '%u', channel], { encoding: 'utf8' }).trim());
      assert.equal(owner, Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim()), 'the channel belongs to the user');
      const helper = identityOf(Number(started.helperPid));
      assert.deepEqual(helper.uids, [65534, 65534, 65534, 65534]);
      scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
      const get = await probe.next((e) => e.event === 'frame' && /^GET \//.test(String(e.info)), 10_000);
      assert.equal(get.direction, 'out');
      assert.equal(get.dst, scene.serverIpv4);
      probe.send('stop');
      const ended = await probe.next((e) => e.event === 'ended');
      assert.equal(ended.reason, 'stopped');
      assert.ok(!existsSync(channel), 'channel directory removed');
    } finally {
      probe.kill();
    }
  });

  it('polkit refusing is "Authorization refused" with what to do (not a cancel), and nothing runs as root', async () => {
    const probe = startProbe(DENIED_USER, fakeElectron, scene.client.name);
    try {
      const result = await probe.next((e) => e.event === 'error' || e.event === 'started');
      assert.equal(result.event, 'error');
      assert.equal(result.code, 'authorization-refused', JSON.stringify(result));
      assert.match(String(result.message), /^Authorization refused/);
      assert.match(String(result.message), /captureBackend to helperContainer/);
    } finally {
      probe.kill();
    }
  });

  it('with no polkit agent to ask for the password, the error says so and what to do instead', async () => {
    const probe = startProbe(NOAGENT_USER, fakeElectron, scene.client.name);
    try {
      const result = await probe.next((e) => e.event === 'error' || e.event === 'started');
      assert.equal(result.event, 'error');
      assert.equal(result.code, 'elevation-failed', JSON.stringify(result));
      assert.match(String(result.message), /authentication agent/i);
      assert.match(String(result.message), /CLI with sudo/);
    } finally {
      probe.kill();
    }
  });
});
