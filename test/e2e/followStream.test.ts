/**
 * Follow TCP Stream in real VS Code: a saved capture of an HTTP exchange
 * (test/fixtures/loopback-http.pcap) opened from the explorer; right-click the
 * request's row, Follow TCP Stream: the request and the response together, the
 * client's and the server's bytes apart, each side exactly what tshark's
 * `-z follow,tcp,raw` reassembles from the same file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness';
import type { Inspector } from './support/inspector';
import { pickFromWebviewMenu } from './support/webviewMenu';
import { openWorkspaceCapture } from './support/workspaceFiles';

const FIXTURE = join(__dirname, '..', 'fixtures', 'loopback-http.pcap');
const FILE = 'e2e-follow-stream.pcap';

/** tshark's reassembly of TCP stream 0: the client's bytes and the server's, as text the view shows them. */
function tsharkSides(): [string, string] {
  const out = execFileSync('tshark', ['-r', FIXTURE, '-qz', 'follow,tcp,raw,0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const sides: [string, string] = ['', ''];
  const body = out.split('\n').filter((l) => /^\t?[0-9a-f]+$/.test(l));
  for (const line of body) {
    const side = line.startsWith('\t') ? 1 : 0;
    const text = Array.from(Buffer.from(line.trim(), 'hex'), (b) => (b === 10 || b === 13 || b === 9 || (b >= 32 && b < 127) ? String.fromCharCode(b) : '.')).join('');
    sides[side] += text;
  }
  return sides;
}

describe('Follow TCP Stream', { timeout: 240_000 }, () => {
  let h: Harness;
  let inspector: Inspector;
  before(async () => {
    h = await startHarness(__filename);
    inspector = await openWorkspaceCapture(h, FIXTURE, FILE);
    await inspector.waitForRow('the HTTP request', (r) => r.text.Info?.startsWith('GET /index.html') === true);
  });
  after(async () => {
    await h?.dispose();
  });

  it('from the row menu shows request and response together, each side as tshark reassembles it', async () => {
    const request = inspector.grid().locator('.list-row:not([hidden])', { hasText: 'GET /index.html' }).first();
    await pickFromWebviewMenu(h.page, request.locator('.col-info'), ['Follow TCP Stream']);
    const view = inspector.frame.locator('#follow-view');
    await view.locator('.follow-chunk').first().waitFor({ state: 'visible', timeout: 10_000 });
    await h.screenshot('follow-tcp-stream');

    const [client, server] = tsharkSides();
    assert.ok(client.startsWith('GET /index.html HTTP/1.1') && server.startsWith('HTTP/1.1 200 OK'), 'tshark saw the exchange');
    const clientText = (await view.locator('.follow-chunk.follow-side-a').allTextContents()).join('');
    const serverText = (await view.locator('.follow-chunk.follow-side-b').allTextContents()).join('');
    assert.equal(clientText, client, 'the client side, in the client colour');
    assert.equal(serverText, server, 'the server side, in the server colour');
    // Together, in the order they were sent: the request comes before the response.
    const all = (await view.locator('.follow-chunk').allTextContents()).join('');
    assert.ok(all.indexOf('GET /index.html') < all.indexOf('HTTP/1.1 200 OK'));
    assert.match(await view.locator('#follow-summary').innerText(), new RegExp(`${client.length} bytes.*${server.length} bytes`, 's'));
  });
});
