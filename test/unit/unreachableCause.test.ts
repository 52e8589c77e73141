/**
 * The Containers view's welcome content names the cause: the real client's
 * error for a missing socket and for a socket nobody answers on (real Unix
 * sockets in a temporary folder), and the permission error's words, lead to
 * the matching welcome entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerClient } from '../../src/client/dockerClient';
import { explainConnectionError } from '../../src/client/dockerConnectionErrors';
import { unreachableCause } from '../../src/extension/containers/unreachableCause';

async function listingError(socketPath: string): Promise<string> {
  const client = createDockerClient(`unix://${socketPath}`);
  try {
    await client.listContainers();
    return 'listed';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    client.dispose?.();
  }
}

test('no socket at the endpoint: "socket missing"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-cause-'));
  try {
    const message = await listingError(join(dir, 'docker.sock'));
    assert.match(message, /no socket at/);
    assert.equal(unreachableCause(message), 'socketMissing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a socket file nobody listens on: "connection refused"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-cause-'));
  const socket = join(dir, 'docker.sock');
  // An engine that died leaves its socket file behind: a listener killed outright does not unlink it.
  spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.ok(existsSync(socket), 'the dead engine\'s socket file is there');
  try {
    const message = await listingError(socket);
    assert.equal(unreachableCause(message), 'connectionRefused', message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('permission denied on the socket: the docker-group hint', () => {
  const error = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });
  const message = explainConnectionError(error, { kind: 'unix', socketPath: '/var/run/docker.sock' }, 'unix:///var/run/docker.sock').message;
  assert.match(message, /add your user to the socket's group \(usually docker\)/);
  assert.equal(unreachableCause(message), 'permissionDenied');
  assert.equal(unreachableCause('Docker is not reachable at ssh://me@host: the login was refused.'), 'other');
});
