/**
 * ssh:// engines through the system's ssh, against a private sshd on loopback whose
 * `docker system dial-stdio` reaches the project's private daemon: by URL (key in an
 * ssh-agent), by a ~/.ssh/config Host alias (IdentityFile), and by a docker context;
 * an unknown host key and a cut connection fail with a line that says what to do.
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
import { run } from '../support/runCommand';
import { DOCKER_HOST, IMAGE, REPO, docker, ensureDaemon, removeContainers, runContainer, uniqueName } from '../support/dockerFixture';
import { createTestUser, deleteTestUser, type TestUser } from '../support/endpointTestUser';
import { runThroughApi } from '../support/endpointApiRoundTrip';
import { addToRootSshFile, startPrivateSshd, startSshAgent, type PrivateSshd } from '../support/privateSshd';

const suffix = uniqueName('x').slice(-6);
const userName = `dnc-ssh-${suffix}`;
const alias = `dnc-engine-${suffix}`;
const containerName = `dnc-ep-ssh-${suffix}`;
let user: TestUser | undefined;
let sshd: PrivateSshd | undefined;
let agent: { socket: string; stop(): void } | undefined;
let clientDir = '';
const undo: Array<{ undo(): void }> = [];
const clients: DockerClient[] = [];
const savedAuthSock = process.env.SSH_AUTH_SOCK;

/** Nothing from this shell's docker environment: only what each test names. */
function environment(configDir: string): SelectionEnvironment {
  return { env: {}, configDir, defaultSockets: [], socketExists: () => false };
}

function client(choice: Parameters<typeof createDockerClient>[0], configDir = path.join(clientDir, 'no-config')): DockerClient {
  const c = createDockerClient(choice, environment(configDir));
  clients.push(c);
  return c;
}

before(async () => {
  ensureDaemon();
  runContainer(containerName, [], ['sleep', '600']);
  user = createTestUser(userName);
  clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-ssh-client-'));
  const key = path.join(clientDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', userName, '-f', key]);
  sshd = await startPrivateSshd(user, fs.readFileSync(`${key}.pub`, 'utf8'), DOCKER_HOST, ['127.0.0.1', '127.0.0.2']);
  // The user's side: known_hosts knows 127.0.0.1 (not 127.0.0.2), an alias names the key.
  const scanned = execFileSync('ssh-keyscan', ['-t', 'ed25519', '-p', String(sshd.port), '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(scanned, /ssh-ed25519/);
  undo.push(addToRootSshFile('known_hosts', scanned, `dnc endpoint test ${suffix}`));
  undo.push(addToRootSshFile('config', [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${userName}`, `  IdentityFile ${key}`, '  IdentitiesOnly yes'].join('\n'), `dnc endpoint test ${suffix}`));
  agent = startSshAgent(clientDir, key);
});

after(async () => {
  for (const c of clients) c.dispose();
  process.env.SSH_AUTH_SOCK = savedAuthSock;
  if (savedAuthSock === undefined) delete process.env.SSH_AUTH_SOCK;
  agent?.stop();
  for (const u of undo.reverse()) u.undo();
  await sshd?.stop();
  if (user) deleteTestUser(user);
  removeContainers(containerName);
  if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
  if (sshd) {
    const listening = execFileSync('ss', ['-Hltn', `sport = :${sshd.port}`], { encoding: 'utf8' });
    assert.equal(listening.trim(), '', 'the private sshd left a listening socket');
  }
});

async function assertListsAndResolves(c: DockerClient): Promise<void> {
  const listed = await c.listContainers();
  const mine = listed.find((x) => x.name === containerName);
  assert.ok(mine, `${containerName} listed through ${c.endpoint}`);
  assert.equal(mine.image, IMAGE);
  const resolved = await c.resolveContainer(containerName);
  assert.equal(resolved.name, containerName);
  assert.ok(resolved.pid > 0);
  assert.equal(c.engine.kind, 'ssh');
  assert.equal(c.engine.local, false);
}

test('ssh://user@127.0.0.1:PORT lists and resolves containers with the key from the ssh-agent', { timeout: 60_000 }, async () => {
  process.env.SSH_AUTH_SOCK = agent?.socket;
  const c = client(`ssh://${userName}@127.0.0.1:${sshd?.port}`);
  await assertListsAndResolves(c);
  assert.equal(c.engine.description, `ssh://${userName}@127.0.0.1:${sshd?.port}`);
});

test('a ~/.ssh/config Host alias is enough: user, port and key come from the config', { timeout: 60_000 }, async () => {
  delete process.env.SSH_AUTH_SOCK;
  const c = client(`ssh://${alias}`);
  await assertListsAndResolves(c);
});

test('a docker context with an ssh endpoint is read from its sha256-named folder and used', { timeout: 60_000 }, async () => {
  delete process.env.SSH_AUTH_SOCK;
  const configDir = path.join(clientDir, 'docker-config');
  const name = `remote-${suffix}`;
  const metaDir = path.join(configDir, 'contexts', 'meta', contextDirName(name));
  fs.mkdirSync(metaDir, { recursive: true });
  fs.writeFileSync(path.join(metaDir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: `ssh://${alias}`, SkipTLSVerify: false } } }));
  fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: name }));
  const c = client(undefined, configDir);
  assert.equal(c.engine.contextName, name);
  assert.equal(c.engine.description, `context ${name} (ssh://${alias})`);
  await assertListsAndResolves(c);
});

test('over ssh, api and streamingApi create, attach to, start, wait for, kill and remove a container', { timeout: 60_000 }, async () => {
  process.env.SSH_AUTH_SOCK = agent?.socket;
  const c = client(`ssh://${userName}@127.0.0.1:${sshd?.port}`);
  const output = await runThroughApi(c, `${containerName}-api`);
  assert.match(output, /dnc-attach-ok/);
  await assert.rejects(c.resolveContainer(`${containerName}-api`), /No such container/);
});

test('a process that listed over ssh and never disposed its client still exits by itself (idle ssh children do not hold it)', { timeout: 60_000 }, async () => {
  const script = `import { createDockerClient } from ${JSON.stringify(path.join(REPO, 'src', 'client', 'dockerClient.ts'))};
const c = createDockerClient(${JSON.stringify(`ssh://${userName}@127.0.0.1:${sshd?.port}`)}, { env: {}, configDir: '/nonexistent', defaultSockets: [], socketExists: () => false });
c.listContainers().then((l) => console.log('listed', l.length));`;
  const file = path.join(clientDir, 'list-once.ts');
  fs.writeFileSync(file, script);
  const result = await run([process.execPath, '--import', 'tsx', file], { ...process.env, SSH_AUTH_SOCK: agent?.socket }, 45_000);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^listed \d+$/m);
});

test('an unknown host key fails at once, saying to add it with ssh-keyscan', { timeout: 60_000 }, async () => {
  process.env.SSH_AUTH_SOCK = agent?.socket;
  const c = client(`ssh://${userName}@127.0.0.2:${sshd?.port}`);
  await assert.rejects(c.listContainers(), (e: unknown) => {
    assert.ok(isCaptureError(e) && e.code === 'docker-unreachable');
    assert.match(e.message, new RegExp(`^Docker is not reachable at ssh://${userName}@127\\.0\\.0\\.2:${sshd?.port}: the host key of 127\\.0\\.0\\.2 is not in your known_hosts`));
    assert.match(e.message, /ssh-keyscan -p \d+ 127\.0\.0\.2 >> ~\/\.ssh\/known_hosts/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

test('a login without an accepted key fails at once instead of waiting on a prompt', { timeout: 60_000 }, async () => {
  delete process.env.SSH_AUTH_SOCK;
  const c = client(`ssh://${userName}@127.0.0.1:${sshd?.port}`);
  await assert.rejects(c.listContainers(), (e: unknown) => isCaptureError(e) && /ssh refused the login as dnc-ssh-\w+@127\.0\.0\.1 port \d+/.test(e.message));
});

test('cutting the ssh session ends the event stream with a clear error', { timeout: 60_000 }, async () => {
  process.env.SSH_AUTH_SOCK = agent?.socket;
  const c = client(`ssh://${userName}@127.0.0.1:${sshd?.port}`);
  await c.listContainers();
  const events: string[] = [];
  const ended = new Promise<Error | undefined>((resolve) => {
    c.watchEvents(
      (e) => events.push(e.action),
      (error) => resolve(error),
    );
  });
  // An event proves the stream is live before it is cut (the subscription takes an ssh handshake).
  const probe = `${containerName}-probe`;
  for (let i = 0; i < 20 && events.length === 0; i++) {
    docker('create', '--name', probe, IMAGE, 'true');
    docker('rm', probe);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(events.includes('create'), 'events arrive over ssh');
  assert.ok((sshd?.cutSessions() ?? 0) > 0, 'an ssh session to cut');
  const error = await ended;
  assert.ok(error, 'the stream ends with an error');
  assert.match(error.message, new RegExp(`^Docker is not reachable at ssh://${userName}@127\\.0\\.0\\.1:\\d+: the ssh connection to ${userName}@127\\.0\\.0\\.1 port \\d+ was cut`));
});
