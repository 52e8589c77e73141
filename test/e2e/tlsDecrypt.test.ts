/**
 * Issue 13 in real VS Code: a pcap of a real OpenSSL TLS 1.3 session is opened from the
 * explorer, Decrypt TLS with Key Log… is run from the Command Palette with the session's
 * key log picked in the file dialog, and the decrypted HTTP request appears in the list
 * (with its badge) and in the layer tree under the TLS record.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness';
import type { Inspector } from './support/inspector';
import { waitFor } from './support/processes';
import { openWorkspaceCapture } from './support/workspaceFiles';

const FIXTURES = join(__dirname, '..', 'support', 'tlsFixtures');
const PCAP = 'e2e-tls13.pcap';
const KEYS = 'e2e-tls13.keys';

describe('Decrypt TLS with Key Log… on an opened pcap', { timeout: 240_000 }, () => {
  let h: Harness;
  let inspector: Inspector;
  before(async () => {
    h = await startHarness(__filename);
    copyFileSync(join(FIXTURES, 'tls13-aes128gcm.keys'), join(h.server.workspace, KEYS));
    chmodSync(join(h.server.workspace, KEYS), 0o644);
    inspector = await openWorkspaceCapture(h, join(FIXTURES, 'tls13-aes128gcm.pcap'), PCAP);
    await inspector.waitForRow('the TLS session', (r) => /Application Data/.test(r.text.Info ?? ''));
  });
  after(async () => {
    await h?.dispose();
  });

  it('before decryption the request is not visible', async () => {
    const rows = await inspector.rows();
    assert.ok(rows.every((r) => !(r.text.Info ?? '').includes('GET /page.txt')), JSON.stringify(rows.map((r) => r.text.Info)));
  });

  it('the command with a key log file shows the decrypted request in the list and the detail pane', async () => {
    await h.workbench.runCommand('Network Capture: Decrypt TLS with Key Log…');
    await h.workbench.answerQuickInput('Key log file on this machine');
    await h.screenshot('pick-key-log');
    await h.workbench.answerQuickInput(join(h.server.workspace, KEYS));
    const row = await inspector.waitForRow('the decrypted request', (r) => (r.text.Info ?? '').startsWith('GET /page.txt HTTP/1.0'));
    assert.equal(row.text.Protocol, 'HTTP');
    assert.match(row.text.Info ?? '', /\[decrypted TLS\]$/);
    const badge = inspector.grid().locator('.cell.tls-decrypted', { hasText: 'GET /page.txt' });
    assert.equal(await badge.count(), 1, 'the request row carries the decrypted badge');
    await inspector.selectRow('GET /page.txt');
    const detail = await waitFor('the decrypted layer', async () => {
      const text = await inspector.detailText();
      return /Decrypted TLS \(\d+ bytes\)/.test(text) ? text : undefined;
    }, 10_000);
    await h.screenshot('decrypted-request');
    assert.match(detail, /Request line: GET \/page\.txt HTTP\/1\.0/);
    // Under the TLS record: the decrypted layer follows the dissected TLS layer.
    const tlsLayer = detail.indexOf('Transport Layer Security');
    assert.ok(tlsLayer >= 0 && tlsLayer < detail.indexOf('Decrypted TLS'), detail);
  });

  it('the response rows say HTTP 200 too', async () => {
    await inspector.waitForRow('the decrypted response', (r) => /^HTTP\/1\.0 200 ok \[decrypted TLS\]$/.test(r.text.Info ?? ''));
  });
});
