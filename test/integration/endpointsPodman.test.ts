/**
 * Podman's Docker-compatible socket, found when Docker's default socket is absent:
 * rootful, and rootless as a throw-away user. The discovery gets its candidate sockets
 * as parameters, pointed at real Podman services in temp dirs; the lists come from them.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDockerClient, type DockerClient } from '../../src/client/dockerClient';
import { defaultSocketCandidates, systemSelectionEnvironment } from '../../src/client/dockerEngineSelection';
import { ensureDaemon, uniqueName } from '../support/dockerFixture';
import { createTestUser, deleteTestUser, type TestUser } from '../support/endpointTestUser';
import { startRootfulPodman, startRootlessPodman, type PodmanEngine } from '../support/podmanEngine';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-podman-'));
const absentDockerSocket = path.join(work, 'absent', 'docker.sock');
const clients: DockerClient[] = [];
const engines: PodmanEngine[] = [];
let user: TestUser | undefined;
const tunMode = fs.statSync('/dev/net/tun').mode & 0o7777;

after(async () => {
  for (const c of clients) c.dispose();
  for (const e of engines.reverse()) await e.stop();
  if (user) deleteTestUser(user);
  fs.rmSync(work, { recursive: true, force: true });
  assert.equal(fs.statSync('/dev/net/tun').mode & 0o7777, tunMode, '/dev/net/tun keeps its mode');
});

async function assertListsAndResolves(c: DockerClient, containerName: string): Promise<void> {
  const listed = await c.listContainers();
  const mine = listed.find((x) => x.name === containerName);
  assert.ok(mine, `${containerName} listed by ${c.endpoint}: ${listed.map((x) => x.name).join(', ')}`);
  assert.equal(mine.state, 'running');
  const resolved = await c.resolveContainer(containerName);
  assert.ok(resolved.pid > 0);
}

test('rootful Podman is found when Docker’s socket is absent, named in the view and listed', { timeout: 180_000 }, async () => {
  ensureDaemon();
  const dir = path.join(work, 'rootful');
  fs.mkdirSync(dir);
  const engine = await startRootfulPodman(dir, uniqueName('dnc-ep-podman'));
  engines.push(engine);
  const env = { DOCKER_CONFIG: path.join(work, 'no-config') };
  const c = createDockerClient(undefined, { ...systemSelectionEnvironment(env), defaultSockets: [absentDockerSocket, engine.socket] });
  clients.push(c);
  assert.equal(c.endpoint, `unix://${engine.socket}`);
  assert.deepEqual(c.engine, { kind: 'unix', local: true, podman: true, description: 'Podman (rootful)' });
  await assertListsAndResolves(c, engine.containerName);
  const described = await c.describeEngine();
  assert.equal(described.podman, true);
  assert.equal(described.description, 'Podman (rootful)');
});

test('rootless Podman at $XDG_RUNTIME_DIR/podman/podman.sock is found and listed', { timeout: 300_000 }, async () => {
  user = createTestUser(uniqueName('dnc-podman').slice(0, 20));
  // Not under `work` (0700 root): the user must reach its runtime dir.
  const runtimeDir = `/tmp/${uniqueName('dnc-podrt')}`;
  const engine = await startRootlessPodman(user, runtimeDir, uniqueName('dnc-ep-rootless'));
  engines.push(engine);
  const env = { XDG_RUNTIME_DIR: runtimeDir, DOCKER_CONFIG: path.join(work, 'no-config') };
  const candidates = defaultSocketCandidates(env);
  assert.equal(candidates[candidates.length - 1], engine.socket, 'the rootless socket is where the discovery looks');
  // This machine's own /var/run/docker.sock (if any) must not answer instead: the first candidates point nowhere.
  const c = createDockerClient(undefined, { ...systemSelectionEnvironment(env), defaultSockets: [absentDockerSocket, path.join(work, 'absent', 'podman.sock'), engine.socket] });
  clients.push(c);
  assert.equal(c.engine.description, 'Podman (rootless)');
  await assertListsAndResolves(c, engine.containerName);
  const described = await c.describeEngine();
  assert.equal(described.description, 'Podman (rootless)');
});
