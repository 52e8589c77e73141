/**
 * The Containers view when Docker cannot be reached says why and what to do
 * next, for each cause a user meets: a socket they may not open (the
 * docker-group hint), no socket at all, and a socket nobody answers on. Real
 * Unix sockets on this machine, at the endpoint the settings name; between the
 * steps the socket changes and the user presses Retry.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from './support/processes';
import { e2eSession } from './support/session';

const dir = mkdtempSync('/tmp/dnc-e2e-welcome-');
chmodSync(dir, 0o755);
const SOCKET = join(dir, 'docker.sock');

// First a socket only root may open, served by a root process.
const listener: ChildProcess = spawn(process.execPath, ['-e', `require('node:net').createServer((s) => s.destroy()).listen(${JSON.stringify(SOCKET)}, () => require('node:fs').chmodSync(${JSON.stringify(SOCKET)}, 0o600))`], { stdio: 'ignore' });

describe('the Containers view when Docker is not reachable', { timeout: 180_000 }, () => {
  const session = e2eSession(__filename, { settings: { 'dockerNetworkCapture.dockerHost': `unix://${SOCKET}` } });
  after(() => {
    listener.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const welcomeText = async (pattern: RegExp): Promise<string> => {
    const { workbench } = session.harness();
    return waitFor(`the view to say ${pattern}`, async () => {
      const text = ((await workbench.sidebar().locator('.welcome-view-content').allTextContents()).join('\n')).replace(/\s+/g, ' ');
      return pattern.test(text) ? text : undefined;
    }, 20_000, 300);
  };

  /** The welcome content's Retry button, as a user presses it after fixing something. */
  const retry = async (): Promise<void> => {
    await session.harness().workbench.sidebar().locator('.welcome-view-content a', { hasText: 'Retry' }).first().click();
  };

  it('permission denied on the socket: says so, with the docker-group hint', async () => {
    await waitFor('the root-only socket', () => existsSync(SOCKET), 10_000);
    await session.harness().workbench.openActivity('Network Capture');
    const text = await welcomeText(/permission denied/);
    await session.harness().screenshot('welcome-permission-denied');
    assert.match(text, /usermod -aG docker/);
    assert.match(text, /log out and in again/);
    assert.doesNotMatch(text, /no Docker socket|connection refused/);
  });

  it('no socket: says the engine is not running or is elsewhere, and how to choose it', async () => {
    // The engine goes away and takes its socket along.
    listener.kill('SIGKILL');
    rmSync(SOCKET, { force: true });
    await retry();
    const text = await welcomeText(/no Docker socket/);
    await session.harness().screenshot('welcome-socket-missing');
    assert.match(text, /Is the engine running\?/);
    assert.match(text, /Switch Docker Context/);
  });

  it('a socket nobody answers on: connection refused, start the engine', async () => {
    // An engine that died leaves its socket file (a listener killed outright does not unlink it); anyone may open it.
    spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(SOCKET)}, () => { require('node:fs').chmodSync(${JSON.stringify(SOCKET)}, 0o666); process.kill(process.pid, 'SIGKILL'); })`]);
    assert.ok(existsSync(SOCKET), 'the dead engine\'s socket file is there');
    await retry();
    const text = await welcomeText(/connection refused/);
    await session.harness().screenshot('welcome-connection-refused');
    assert.match(text, /Start the engine/);
  });
});
