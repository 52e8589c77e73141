import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chooseEndpoint, describeEndpoint, isLocalEndpoint, parseDockerEndpoint } from '../../src/client/dockerEndpoint';
import { contextDirName, currentContextName, listContexts, readContext } from '../../src/client/dockerContexts';
import { defaultSocketCandidates, selectEngine, type SelectionEnvironment } from '../../src/client/dockerEngineSelection';
import { explainSshFailure, findSsh, sshArguments } from '../../src/client/dockerSshTransport';
import { loadTlsMaterial } from '../../src/client/dockerTls';
import { isCaptureError } from '../../src/protocol/captureErrors';

test('the setting wins over DOCKER_HOST, which wins over the default socket', () => {
  assert.equal(chooseEndpoint('tcp://a:1', { DOCKER_HOST: 'unix:///b.sock' }), 'tcp://a:1');
  assert.equal(chooseEndpoint('  ', { DOCKER_HOST: 'unix:///b.sock' }), 'unix:///b.sock');
  assert.equal(chooseEndpoint(undefined, {}), 'unix:///var/run/docker.sock');
});

test('unix, tcp, tls and ssh endpoints parse to what dockerode needs', () => {
  assert.deepEqual(parseDockerEndpoint('unix:///tmp/d.sock', {}), { kind: 'unix', socketPath: '/tmp/d.sock' });
  assert.deepEqual(parseDockerEndpoint('/run/docker.sock', {}), { kind: 'unix', socketPath: '/run/docker.sock' });
  assert.deepEqual(parseDockerEndpoint('tcp://10.0.0.5:2375', {}), { kind: 'tcp', host: '10.0.0.5', port: 2375, protocol: 'http' });
  assert.deepEqual(parseDockerEndpoint('localhost:2376', {}), { kind: 'tcp', host: 'localhost', port: 2376, protocol: 'https' });
  assert.deepEqual(parseDockerEndpoint('tcp://h:2375', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }), {
    kind: 'tcp',
    host: 'h',
    port: 2375,
    protocol: 'https',
    tls: { caPath: '/certs/ca.pem', certPath: '/certs/cert.pem', keyPath: '/certs/key.pem', verify: true, origin: 'DOCKER_CERT_PATH (/certs)' },
  });
  assert.deepEqual(parseDockerEndpoint('ssh://me@box', {}), { kind: 'ssh', host: 'box', username: 'me' });
  assert.deepEqual(parseDockerEndpoint('ssh://box:2222', {}), { kind: 'ssh', host: 'box', port: 2222 });
  assert.equal(describeEndpoint(parseDockerEndpoint('tcp://h:2375', {})), 'tcp://h:2375');
  assert.equal(describeEndpoint(parseDockerEndpoint('ssh://me@box:2222', {})), 'ssh://me@box:2222');
  assert.equal(describeEndpoint(parseDockerEndpoint('tcp://[::1]:2375', {})), 'tcp://[::1]:2375');
});

test('DOCKER_TLS_VERIFY without DOCKER_CERT_PATH takes the files from ~/.docker', () => {
  const e = parseDockerEndpoint('tcp://h:2376', { DOCKER_TLS_VERIFY: '1' });
  assert.ok(e.kind === 'tcp' && e.tls);
  assert.equal(e.tls.caPath, path.join(os.homedir(), '.docker', 'ca.pem'));
});

test('only a socket or loopback tcp is local; ssh never is, even to 127.0.0.1', () => {
  assert.equal(isLocalEndpoint(parseDockerEndpoint('unix:///x.sock', {})), true);
  assert.equal(isLocalEndpoint(parseDockerEndpoint('tcp://127.0.0.1:2375', {})), true);
  assert.equal(isLocalEndpoint(parseDockerEndpoint('tcp://[::1]:2375', {})), true);
  assert.equal(isLocalEndpoint(parseDockerEndpoint('tcp://10.1.1.1:2375', {})), false);
  assert.equal(isLocalEndpoint(parseDockerEndpoint('ssh://me@127.0.0.1', {})), false);
});

test('malformed endpoints fail with docker-unreachable and say why', () => {
  for (const bad of ['unix://relative.sock', 'ftp://h:21', 'tcp://', 'ssh://-oProxyCommand=x', 'ssh://-l@host', 'ssh://me@host/path']) {
    assert.throws(() => parseDockerEndpoint(bad, {}), (e: unknown) => isCaptureError(e) && e.code === 'docker-unreachable' && e.message.includes(bad));
  }
});

test('ssh runs as the docker CLI runs it, batch mode and host keys checked, host after --', () => {
  assert.deepEqual(sshArguments({ host: 'box', port: 2222, username: 'me' }), [
    '-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-a', '-x', '-T',
    '-l', 'me', '-p', '2222', '--', 'box', 'docker', 'system', 'dial-stdio',
  ]);
  assert.deepEqual(sshArguments({ host: 'alias' }).slice(-5), ['--', 'alias', 'docker', 'system', 'dial-stdio']);
  assert.ok(!sshArguments({ host: 'alias' }).includes('-p'), 'no port: ~/.ssh/config decides');
  for (const target of [{ host: '-oProxyCommand=sh' }, { host: 'box', username: '-F/tmp/x' }, { host: 'a b' }, { host: 'box', port: 70000 }]) {
    assert.throws(() => sshArguments(target));
  }
  assert.equal(findSsh((p) => p === '/bin/ssh'), '/bin/ssh');
  assert.throws(() => findSsh(() => false), /no ssh client in \/usr\/bin\/ssh or \/bin\/ssh/);
});

test("ssh's failures become one line saying what to do", () => {
  const t = { host: 'box', port: 2222, username: 'me' };
  assert.match(explainSshFailure('No ED25519 host key is known for [box]:2222 and you have requested strict checking.\r\nHost key verification failed.\r\n', t, 255), /not in your known_hosts.*ssh-keyscan -p 2222 box >> ~\/\.ssh\/known_hosts/);
  assert.match(explainSshFailure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.', t, 255), /CHANGED.*ssh-keygen -R box/);
  assert.match(explainSshFailure('me@box: Permission denied (publickey).', t, 255), /refused the login as me@box port 2222/);
  assert.match(explainSshFailure('ssh: connect to host box port 2222: Connection refused', t, 255), /refused: is sshd running there/);
  assert.match(explainSshFailure('sh: 1: docker: not found', t, 127), /has no docker command/);
  assert.match(explainSshFailure('', t, 3), /ended \(exit 3\)/);
  assert.equal(explainSshFailure('', t, null, 'SIGKILL'), 'the ssh process to me@box port 2222 was killed (SIGKILL)');
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-unit-endpoint-'));
}

function writeContext(configDir: string, name: string, host: string, extra: Record<string, unknown> = {}): void {
  const dir = path.join(configDir, 'contexts', 'meta', contextDirName(name));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false, ...extra } } }));
}

test('context folders are named by the sha256 of the context name, as the docker CLI names them', () => {
  // sha256("default") in hex: the folder `docker context` would use for a context of that name.
  assert.equal(contextDirName('default'), '37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f');
});

test('contexts are read, listed and their TLS files located; damaged or missing ones say so', () => {
  const dir = tempDir();
  try {
    writeContext(dir, 'remote', 'ssh://me@box');
    writeContext(dir, 'tls', 'tcp://10.0.0.1:2376');
    fs.mkdirSync(path.join(dir, 'contexts', 'tls', contextDirName('tls'), 'docker'), { recursive: true });
    writeContext(dir, 'insecure', 'tcp://10.0.0.2:2376', { SkipTLSVerify: true });
    fs.mkdirSync(path.join(dir, 'contexts', 'meta', 'not-a-hash'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'contexts', 'meta', 'not-a-hash', 'meta.json'), '{');
    assert.deepEqual(listContexts(dir).map((c) => `${c.name} ${c.host}`), ['insecure tcp://10.0.0.2:2376', 'remote ssh://me@box', 'tls tcp://10.0.0.1:2376']);
    const tls = readContext('tls', dir).endpoint;
    assert.ok(tls.kind === 'tcp' && tls.tls);
    assert.equal(tls.tls.caPath, path.join(dir, 'contexts', 'tls', contextDirName('tls'), 'docker', 'ca.pem'));
    assert.equal(tls.tls.verify, true);
    const insecure = readContext('insecure', dir).endpoint;
    assert.ok(insecure.kind === 'tcp' && insecure.tls?.verify === false);
    assert.throws(() => readContext('nope', dir), /Docker context "nope" does not exist .*docker context ls/);
    assert.throws(() => readContext('../etc', dir), /not a valid context name/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'remote', auths: {} }));
    assert.equal(currentContextName(dir), 'remote');
    fs.writeFileSync(path.join(dir, 'config.json'), '{ not json');
    assert.throws(() => currentContextName(dir), /config\.json is not valid JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('precedence: explicit endpoint or context > DOCKER_HOST > DOCKER_CONTEXT > currentContext > default socket', () => {
  const dir = tempDir();
  try {
    writeContext(dir, 'a', 'tcp://10.0.0.1:2375');
    writeContext(dir, 'b', 'ssh://me@box');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'b' }));
    const envOf = (env: NodeJS.ProcessEnv, sockets: string[] = []): SelectionEnvironment => ({ env, configDir: dir, defaultSockets: sockets, socketExists: (s) => sockets.includes(s) });
    const pick = (request: { endpoint?: string; context?: string }, env: NodeJS.ProcessEnv): string => {
      const s = selectEngine(request, envOf(env));
      return `${describeEndpoint(s.endpoint)}${s.engine.contextName ? ` [${s.engine.contextName}]` : ''}`;
    };
    const all = { DOCKER_HOST: 'unix:///env.sock', DOCKER_CONTEXT: 'a' };
    assert.equal(pick({ endpoint: 'tcp://1.2.3.4:2375' }, all), 'tcp://1.2.3.4:2375');
    assert.equal(pick({ context: 'a' }, { DOCKER_HOST: 'unix:///env.sock' }), 'tcp://10.0.0.1:2375 [a]');
    assert.equal(pick({}, all), 'unix:///env.sock');
    assert.equal(pick({}, { DOCKER_CONTEXT: 'a' }), 'tcp://10.0.0.1:2375 [a]');
    assert.equal(pick({}, {}), 'ssh://me@box [b]');
    assert.equal(pick({ context: 'default' }, { DOCKER_HOST: 'tcp://9.9.9.9:2375' }), 'tcp://9.9.9.9:2375 [default]');
    assert.throws(() => selectEngine({ endpoint: 'tcp://h:1', context: 'a' }, envOf({})), /keep one/);
    assert.equal(selectEngine({ context: 'b' }, envOf({})).engine.description, 'context b (ssh://me@box)');
    fs.rmSync(path.join(dir, 'config.json'));
    // Nothing named: Docker's socket, else Podman's.
    const docker = '/var/run/docker.sock';
    const rootless = '/run/user/1000/podman/podman.sock';
    assert.equal(describeEndpoint(selectEngine({}, envOf({}, [docker, rootless])).endpoint), `unix://${docker}`);
    const podman = selectEngine({}, { ...envOf({}, [rootless]), defaultSockets: [docker, rootless] });
    assert.equal(describeEndpoint(podman.endpoint), `unix://${rootless}`);
    assert.equal(podman.engine.podman, true);
    assert.equal(podman.engine.description, 'Podman (rootless)');
    assert.equal(describeEndpoint(selectEngine({}, { ...envOf({}), defaultSockets: [docker, rootless] }).endpoint), `unix://${docker}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the default sockets are Docker’s, rootful Podman’s, then the user’s rootless Podman’s', () => {
  assert.deepEqual(defaultSocketCandidates({ XDG_RUNTIME_DIR: '/run/user/1000' }), ['/var/run/docker.sock', '/run/podman/podman.sock', '/run/user/1000/podman/podman.sock']);
});

test('TLS files: a missing CA with verification, or a key without its certificate, is one line naming the file', () => {
  const dir = tempDir();
  try {
    const files = { caPath: path.join(dir, 'ca.pem'), certPath: path.join(dir, 'cert.pem'), keyPath: path.join(dir, 'key.pem'), verify: true, origin: `DOCKER_CERT_PATH (${dir})` };
    assert.throws(() => loadTlsMaterial(files, 'tcp://h:2376'), (e: unknown) => isCaptureError(e) && e.message === `TLS for tcp://h:2376: ${dir}/ca.pem does not exist; it comes from DOCKER_CERT_PATH (${dir}): put ca.pem, cert.pem and key.pem there (or point DOCKER_CERT_PATH at them).`);
    fs.writeFileSync(files.caPath, 'CA');
    assert.deepEqual(loadTlsMaterial(files, 'tcp://h:2376'), { ca: Buffer.from('CA'), verify: true });
    fs.writeFileSync(files.certPath, 'CERT');
    assert.throws(() => loadTlsMaterial(files, 'tcp://h:2376'), /key\.pem does not exist/);
    fs.rmSync(files.certPath);
    fs.writeFileSync(files.keyPath, 'KEY');
    assert.throws(() => loadTlsMaterial(files, 'tcp://h:2376'), /key\.pem has no .*cert\.pem beside it/);
    fs.writeFileSync(files.certPath, 'CERT');
    assert.deepEqual(loadTlsMaterial(files, 'tcp://h:2376'), { ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY'), verify: true });
    assert.deepEqual(loadTlsMaterial({ ...files, caPath: path.join(dir, 'none.pem'), verify: false }, 'x'), { cert: Buffer.from('CERT'), key: Buffer.from('KEY'), verify: false });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI takes --context NAME, and refuses it together with -d', async () => {
  const { parseCliArguments, UsageError } = await import('../../src/cli/cliArguments');
  assert.equal(parseCliArguments(['--context', 'prod', 'web']).context, 'prod');
  assert.equal(parseCliArguments(['--context=prod', 'web']).context, 'prod');
  assert.throws(() => parseCliArguments(['-d', 'unix:///x.sock', '--context', 'prod', 'web']), (e: unknown) => e instanceof UsageError && /choose one of -d and --context/.test(e.message));
});

test('`docker context use` (config.json replaced through a rename) is noticed, once', async () => {
  const { watchDockerConfig } = await import('../../src/extension/containers/dockerConfigWatcher');
  const dir = tempDir();
  const saved = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = dir;
  let changes = 0;
  let notify: () => void = () => undefined;
  const watch = watchDockerConfig(() => {
    changes++;
    notify();
  }, 50);
  try {
    const noticed = new Promise<void>((resolve) => (notify = resolve));
    fs.writeFileSync(path.join(dir, 'other.json'), '{}');
    fs.writeFileSync(path.join(dir, 'config.json.tmp'), JSON.stringify({ currentContext: 'prod' }));
    fs.renameSync(path.join(dir, 'config.json.tmp'), path.join(dir, 'config.json'));
    await noticed;
    assert.equal(changes, 1);
  } finally {
    watch.dispose();
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
