/**
 * Full captures on Podman through its Docker-compatible socket, with the CLI as a user
 * runs it: rootful (root, the socket named with -d), and rootless as a throw-away user
 * capturing its own container (no root anywhere: the CLI picks the helper container by
 * itself). The target serves HTTP on a port published on 127.0.0.1 through slirp4netns,
 * so the requests from this machine's loopback reach it on its tap0: IN from the peer,
 * the page OUT to it. What the CLI prints must be what tshark reads from its -w file.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cliRunner';
import { ensureDaemon, IMAGE, uniqueName } from '../support/dockerFixture';
import { createTestUser, deleteTestUser, type TestUser } from '../support/endpointTestUser';
import { ensureHelperImages, helpersGone, HELPER_IMAGE } from '../support/helperContainerFixture';
import { LIMITS, startRootfulPodman, startRootlessPodman, type PodmanEngine } from '../support/podmanEngine';
import { freePort } from '../support/freePort';
import { assertAgreesWithTshark, assertHttpServed, captureFolder, captureWithCli } from '../support/remoteCaptureCheck';

/** slirp4netns gives every container the same address on its tap0. */
const SLIRP_ADDRESS = '10.0.2.100';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-rcp-'));
const engines: PodmanEngine[] = [];
let user: TestUser | undefined;
let rootful: { engine: PodmanEngine; target: string } | undefined;
const tunMode = fs.statSync('/dev/net/tun').mode & 0o7777;

after(async () => {
  for (const e of engines.reverse()) await e.stop();
  if (user) deleteTestUser(user);
  fs.rmSync(work, { recursive: true, force: true });
  assert.equal(fs.statSync('/dev/net/tun').mode & 0o7777, tunMode, '/dev/net/tun keeps its mode');
});

/** The helper image and a web server whose port 80 is published on 127.0.0.1:`port` by slirp4netns itself (so requests arrive on tap0). */
function prepare(engine: PodmanEngine, port: number): string {
  engine.loadImage(HELPER_IMAGE);
  const target = uniqueName('dnc-rcp-web');
  engine.podman('run', '-d', '--name', target, '--network', 'slirp4netns:port_handler=slirp4netns', '-p', `127.0.0.1:${port}:80`, ...LIMITS, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www');
  return target;
}

function fetchPage(port: number): void {
  for (let i = 0; i < 2; i++) execFileSync('curl', ['-s', '--max-time', '10', '-o', '/dev/null', `http://127.0.0.1:${port}/`]);
}

test('rootful Podman: the CLI captures the requests to its container, as tshark reads them from -w', { timeout: 120_000 }, async () => {
  ensureDaemon();
  ensureHelperImages();
  const dir = path.join(work, 'rootful');
  fs.mkdirSync(dir);
  const engine = await startRootfulPodman(dir, uniqueName('dnc-rcp-idle'));
  engines.push(engine);
  const port = await freePort();
  const target = prepare(engine, port);
  rootful = { engine, target };
  const run = await captureWithCli({
    args: ['-d', `unix://${engine.socket}`, '--helper-image', HELPER_IMAGE, '-f', 'tcp', target],
    env: { PATH: process.env.PATH, HOME: os.userInfo().homedir, DOCKER_CONFIG: path.join(work, 'no-config') },
    pcap: path.join(work, 'rootful.pcap'),
    traffic: () => fetchPage(port),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /capture path: helper container \(/);
  assert.match(run.stderr, /: capturing on tap0, lo\n/);
  assertHttpServed(assertAgreesWithTshark(run, SLIRP_ADDRESS, assert), assert);
  assert.deepEqual(await helpersGone(`unix://${engine.socket}`), []);
});

test('a helper image Podman lacks and cannot pull: one line naming the image and the option, nothing left', { timeout: 60_000 }, async (t) => {
  if (!rootful) return t.skip('needs the rootful engine of the test above');
  const image = '127.0.0.1:9/dnc-no-such-helper:latest';
  const r = await runCli(['-d', `unix://${rootful.engine.socket}`, '--helper-image', image, rootful.target], { PATH: process.env.PATH, HOME: os.userInfo().homedir, DOCKER_CONFIG: path.join(work, 'no-config') }, 45_000);
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.ok(lines[lines.length - 1]?.startsWith(`docker-network-capture: error: the helper image ${image} is not on the Docker engine and could not be pulled (`), r.stderr);
  assert.match(r.stderr, /set dockerNetworkCapture\.helperImage \(CLI: --helper-image\)/);
  assert.equal(r.stdout, '');
  assert.deepEqual(await helpersGone(`unix://${rootful.engine.socket}`), []);
});

test('rootless Podman as its own user: no root, the CLI chooses the helper container and captures the same way', { timeout: 180_000 }, async () => {
  ensureDaemon();
  ensureHelperImages();
  user = createTestUser(uniqueName('dnc-rcp').slice(0, 20));
  const runtimeDir = `/tmp/${uniqueName('dnc-rcprt')}`;
  const engine = await startRootlessPodman(user, runtimeDir, uniqueName('dnc-rcp-idle'));
  engines.push(engine);
  const port = await freePort();
  const target = prepare(engine, port);
  const out = captureFolder(os.tmpdir(), user.uid, user.gid);
  try {
    const run = await captureWithCli({
      // No -d: the CLI finds the rootless socket in $XDG_RUNTIME_DIR, as it would for this user.
      args: ['--helper-image', HELPER_IMAGE, '-f', 'tcp', target],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: user.home, USER: user.name, XDG_RUNTIME_DIR: runtimeDir, DOCKER_CONFIG: path.join(user.home, '.docker') },
      user: user.name,
      pcap: path.join(out, 'rootless.pcap'),
      traffic: () => fetchPage(port),
      timeoutMs: 90_000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`docker endpoint: unix://${engine.socket.replace(/\./g, '\\.')}; capturing through helper containers`));
    assert.match(run.stderr, /: capturing on tap0, lo\n/);
    assertHttpServed(assertAgreesWithTshark(run, SLIRP_ADDRESS, assert), assert);
    const owner = fs.statSync(run.pcap);
    assert.equal(owner.uid, user.uid, 'the -w file belongs to the user who captured');
    assert.deepEqual(await helpersGone(`unix://${engine.socket}`), []);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
