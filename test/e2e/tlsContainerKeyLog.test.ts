/**
 * Issue 13 in real VS Code, the key log inside a container: a user with Docker access
 * captures an OpenSSL client container (through a helper container), runs Decrypt TLS
 * with Key Log… and types `container:NAME:/tmp/keys.log`; the client then fetches a page
 * over TLS 1.3 writing that key log inside its container, and the inspector shows the
 * request and the response decrypted, with no copying of the key log by hand.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { tlsWorkdir } from '../support/tlsSessions';
import { startHarness, type Harness } from './harness';
import { DOCKER_HOST, REPO } from './support/environment';
import { Inspector } from './support/inspector';
import { waitFor } from './support/processes';

const NO_AGENT_USER = process.env.DNC_NOAGENT_USER ?? 'dnc-noagent';
const SERVER = 'dnc-e2e-tlsk-srv';
const CLIENT = 'dnc-e2e-tlsk-cli';

function docker(...args: string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function removeContainers(): void {
  try {
    docker('rm', '-f', SERVER, CLIENT);
  } catch {
    // Not there: nothing to remove.
  }
}

describe('Decrypt TLS with a key log inside the captured container', { timeout: 300_000 }, () => {
  let h: Harness;
  let work: { dir: string; body: Buffer };
  let serverIp = '';
  before(async () => {
    execFileSync('bash', [join(REPO, 'test', 'support', 'openssl-image.sh')], { stdio: 'inherit', timeout: 120_000, env: { ...process.env } });
    work = tlsWorkdir(20_000);
    chmodSync(work.dir, 0o755);
    for (const f of ['c.pem', 'k.pem', 'page.txt']) chmodSync(join(work.dir, f), 0o644);
    removeContainers();
    docker('run', '-d', '--name', SERVER, '-v', `${work.dir}:/srv:ro`, '-w', '/srv', 'dnc-openssl:latest', 'openssl', 's_server', '-accept', '4433', '-cert', 'c.pem', '-key', 'k.pem', '-WWW');
    docker('run', '-d', '--name', CLIENT, 'dnc-openssl:latest', 'sleep', '600');
    serverIp = docker('inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', SERVER);
    docker('exec', CLIENT, 'sh', '-c', ': > /tmp/keys.log');
    h = await startHarness(__filename, { user: NO_AGENT_USER, settings: { 'dockerNetworkCapture.helperImage': 'dnc-tcpdump-helper:latest' } });
  });
  after(async () => {
    await h?.dispose();
    removeContainers();
    if (work) rmSync(work.dir, { recursive: true, force: true });
  });

  it('container:NAME:/path decrypts the session the container makes after it was given', async () => {
    await h.workbench.openActivity('Network Capture');
    const row = h.workbench.treeRow(CLIENT);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await h.workbench.contextMenu(row, 'Capture Traffic');
    const inspector = await Inspector.active(h.workbench, 60_000);
    await waitFor('the inspector to say it is capturing on eth0', async () => /capturing on .*eth0/i.test(await inspector.statusLine()), 60_000);

    await h.workbench.runCommand('Network Capture: Decrypt TLS with Key Log…');
    await h.workbench.answerQuickInput('Key log inside a container');
    await h.workbench.answerQuickInput(`container:${CLIENT}:/tmp/keys.log`);
    await h.screenshot('container-key-log-given');

    const fetched = docker('exec', CLIENT, 'sh', '-c', `printf 'GET /page.txt HTTP/1.0\\r\\n\\r\\n' | openssl s_client -quiet -ign_eof -connect ${serverIp}:4433 -keylogfile /tmp/keys.log 2>/dev/null`);
    assert.ok(fetched.includes(work.body.subarray(0, 100).toString()), 's_client got the page');

    // The key log is followed while the capture runs: the keys arrive after the session's packets.
    const request = await inspector.waitForRow('the decrypted request', (r) => (r.text.Info ?? '').startsWith('GET /page.txt HTTP/1.0'), 30_000);
    assert.equal(request.text.Protocol, 'HTTP');
    assert.equal(request.text.Dir, 'OUT', 'the captured client sends the request');
    assert.match(request.text.Info ?? '', /\[decrypted TLS\]$/);
    const response = await inspector.waitForRow('the decrypted response', (r) => /^HTTP\/1\.0 200 ok \[decrypted TLS\]$/.test(r.text.Info ?? ''), 30_000);
    assert.equal(response.text.Dir, 'IN');
    await h.screenshot('container-key-log-decrypted');

    await inspector.selectRow('GET /page.txt');
    const detail = await waitFor('the decrypted layer', async () => {
      const text = await inspector.detailText();
      return /Decrypted TLS \(\d+ bytes\)/.test(text) ? text : undefined;
    }, 10_000);
    assert.match(detail, /Request line: GET \/page\.txt HTTP\/1\.0/);
    await inspector.click('stop-button');
    await waitFor('the inspector to say the capture ended', async () => /ended|stopped/i.test(await inspector.statusLine()), 30_000);
  });
});
