/**
 * tcp+TLS engines: a second private dockerd with --tlsverify on a loopback port, reached
 * with DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH and with a docker context that
 * holds the TLS files; a wrong CA or a missing client certificate fails with one line
 * saying what to fix. The main daemon and its docker0 must come through untouched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDockerClient, type DockerClient } from '../../src/client/dockerClient';
import { contextDirName } from '../../src/client/dockerContexts';
import type { SelectionEnvironment } from '../../src/client/dockerEngineSelection';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { IMAGE, docker as mainDocker, ensureDaemon, uniqueName } from '../support/dockerFixture';
import { runThroughApi } from '../support/endpointApiRoundTrip';
import { startTlsDockerd, type TlsDockerd } from '../support/tlsDockerd';

const containerName = uniqueName('dnc-ep-tls');
let engine: TlsDockerd | undefined;
let work = '';
let docker0Before = '';
const clients: DockerClient[] = [];

function docker0Index(): string {
  return execFileSync('cat', ['/sys/class/net/docker0/ifindex'], { encoding: 'utf8' }).trim();
}

function client(choice: Parameters<typeof createDockerClient>[0], env: NodeJS.ProcessEnv, configDir = path.join(work, 'no-config')): DockerClient {
  const environment: SelectionEnvironment = { env, configDir, defaultSockets: [], socketExists: () => false };
  const c = createDockerClient(choice, environment);
  clients.push(c);
  return c;
}

before(async () => {
  ensureDaemon();
  docker0Before = docker0Index();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-tls-client-'));
  engine = await startTlsDockerd();
  engine.docker('run', '-d', '--name', containerName, '--network', 'none', IMAGE, 'sleep', '600');
});

after(async () => {
  for (const c of clients) c.dispose();
  await engine?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  assert.equal(docker0Index(), docker0Before, 'docker0 of the main daemon is still the same interface');
  assert.ok(mainDocker('version', '--format', '{{.Server.Version}}'), 'the main daemon still answers');
});

async function assertListsAndResolves(c: DockerClient): Promise<void> {
  const listed = await c.listContainers();
  assert.deepEqual(
    listed.map((x) => x.name),
    [containerName],
  );
  const resolved = await c.resolveContainer(containerName);
  assert.equal(resolved.name, containerName);
  assert.equal(c.engine.kind, 'tcp');
  assert.equal(c.engine.local, true);
}

test('DOCKER_HOST=tcp://127.0.0.1:PORT with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH lists and resolves', { timeout: 60_000 }, async () => {
  const c = client(undefined, { DOCKER_HOST: `tcp://127.0.0.1:${engine?.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine?.certDir });
  assert.equal(c.endpoint, `tcp://127.0.0.1:${engine?.port}`);
  await assertListsAndResolves(c);
});

test('a docker context holding TLS files reaches the engine', { timeout: 60_000 }, async () => {
  const configDir = path.join(work, 'docker-config');
  const name = 'tls-engine';
  const hash = contextDirName(name);
  fs.mkdirSync(path.join(configDir, 'contexts', 'meta', hash), { recursive: true });
  fs.writeFileSync(path.join(configDir, 'contexts', 'meta', hash, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${engine?.port}`, SkipTLSVerify: false } } }));
  const tlsDir = path.join(configDir, 'contexts', 'tls', hash, 'docker');
  fs.mkdirSync(tlsDir, { recursive: true });
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.copyFileSync(path.join(engine?.certDir ?? '', f), path.join(tlsDir, f));
  // The context named explicitly wins over a DOCKER_HOST that points elsewhere.
  const c = client({ context: name }, { DOCKER_HOST: 'unix:///nonexistent.sock' }, configDir);
  assert.equal(c.engine.description, `context ${name} (tcp://127.0.0.1:${engine?.port})`);
  await assertListsAndResolves(c);
});

test('over TLS, api and streamingApi create, attach to, start, wait for, kill and remove a container', { timeout: 60_000 }, async () => {
  const c = client(undefined, { DOCKER_HOST: `tcp://127.0.0.1:${engine?.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine?.certDir });
  assert.match(await runThroughApi(c, `${containerName}-api`), /dnc-attach-ok/);
});

test('a CA that did not sign the engine certificate fails with one line naming the CA file', { timeout: 60_000 }, async () => {
  const wrong = path.join(work, 'wrong-ca');
  fs.mkdirSync(wrong);
  fs.copyFileSync(path.join(engine?.certDir ?? '', 'other-ca.pem'), path.join(wrong, 'ca.pem'));
  for (const f of ['cert.pem', 'key.pem']) fs.copyFileSync(path.join(engine?.certDir ?? '', f), path.join(wrong, f));
  const c = client(undefined, { DOCKER_HOST: `tcp://127.0.0.1:${engine?.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrong });
  await assert.rejects(c.listContainers(), (e: unknown) => {
    assert.ok(isCaptureError(e) && e.code === 'docker-unreachable');
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, new RegExp(`^Docker is not reachable at tcp://127\\.0\\.0\\.1:${engine?.port}: the engine's certificate is not signed by the CA in ${wrong}/ca\\.pem`));
    return true;
  });
});

test('without a client certificate the engine refuses, and the message says a client certificate is needed', { timeout: 60_000 }, async () => {
  const caOnly = path.join(work, 'ca-only');
  fs.mkdirSync(caOnly);
  fs.copyFileSync(path.join(engine?.certDir ?? '', 'ca.pem'), path.join(caOnly, 'ca.pem'));
  const c = client(undefined, { DOCKER_HOST: `tcp://127.0.0.1:${engine?.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: caOnly });
  await assert.rejects(c.listContainers(), (e: unknown) => isCaptureError(e) && /client certificate/.test(e.message) && e.message.includes(`tcp://127.0.0.1:${engine?.port}`));
});

test('plain http to the TLS port says to turn TLS on', { timeout: 60_000 }, async () => {
  const c = client(`tcp://127.0.0.1:${engine?.port}`, {});
  await assert.rejects(c.listContainers(), (e: unknown) => isCaptureError(e) && /the engine speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH/.test(e.message));
});
