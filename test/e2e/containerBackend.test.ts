/**
 * Issue 9 in real VS Code: a user who has Docker access (the socket's group)
 * but whom polkit will not elevate without a password, and who has no polkit
 * agent to ask (as under Remote-SSH), captures anyway. The `auto` backend
 * tries the host helper, hears "no authentication agent", and captures
 * through a helper container started over the Docker API: the same inspector,
 * the same rows, no root process on this machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { helperProcesses } from './support/captureProcesses';
import { DOCKER_HOST } from './support/environment';
import { Inspector } from './support/inspector';
import { waitFor } from './support/processes';
import { SERVED_TEXT, SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

const NO_AGENT_USER = process.env.DNC_NOAGENT_USER ?? 'dnc-noagent';
const HELPER_IMAGE = 'dnc-tcpdump-helper:latest';

function helperContainers(): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--filter', 'label=dev.dockernetworkcapture.helper', '--format', '{{.Names}}'], { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('capturing from VS Code with Docker access only (no password prompt)', { timeout: 300_000 }, () => {
  const session = e2eSession(__filename, { user: NO_AGENT_USER, settings: { 'dockerNetworkCapture.helperImage': HELPER_IMAGE } });

  it('Capture Traffic captures through a helper container and shows the HTTP exchange', async () => {
    const h = session.harness();
    await h.workbench.openActivity('Network Capture');
    const row = h.workbench.treeRow(SERVER_NAME);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await h.workbench.contextMenu(row, 'Capture Traffic');
    const inspector = await Inspector.active(h.workbench, 60_000);
    await waitFor('a helper container for the capture', () => helperContainers().length > 0, 60_000).catch(async (e: Error) => {
      throw new Error(`${e.message}; the inspector says: ${await inspector.statusLine().catch(() => '(no status line)')}`);
    });
    // "Capturing on eth0, lo" comes with `started`, once tcpdump listens in every helper
    // (the first helper container to appear only lists the interfaces).
    await waitFor('the inspector to say it is capturing on eth0', async () => /capturing on .*eth0/i.test(await inspector.statusLine()) && !/error|fail/i.test(await inspector.statusLine()), 60_000);
    await h.page.waitForTimeout(500);
    await h.screenshot('capturing-through-helper-container');
    assert.match(await h.page.locator('.notifications-toasts').innerText().catch(() => ''), /helper container/i, 'the one-line notice names the helper container');
    assert.deepEqual(helperProcesses(), [], 'no root helper runs on this machine');

    assert.equal(session.scene().fetchFromServer().trim(), SERVED_TEXT);
    const { serverIp, clientIp } = session.scene();
    const request = await inspector.waitForRow(`GET from ${clientIp} to ${serverIp}`, (r) => r.text.Info?.includes('GET / HTTP/1.1') === true, 30_000);
    assert.equal(request.text.Dir, 'IN', 'the server receives the request');
    assert.equal(request.text.Interface, 'eth0');
    const response = (await inspector.rows()).find((r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? ''));
    assert.ok(response, 'the response row');
    assert.equal(response.text.Dir, 'OUT');
    await h.screenshot('http-exchange-through-helper-container');

    await inspector.click('stop-button');
    await waitFor('the helper containers to be removed', () => helperContainers().length === 0, 30_000);
    await waitFor('the inspector to say the capture ended', async () => /ended|stopped/i.test(await inspector.statusLine()), 15_000);
    assert.ok((await inspector.rows()).some((r) => r.text.Info?.includes('GET / HTTP/1.1')), 'the packets stay after the stop');
  });
});
