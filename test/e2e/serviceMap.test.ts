/**
 * The Service Map in real VS Code: a saved capture of two containers on a Docker bridge
 * (test/fixtures/docker-bridge.pcap) opened from the explorer; the row menu's Service
 * Map draws its endpoints and services, and a click on the HTTP arrow filters the list
 * to that service's packets.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness';
import type { Inspector } from './support/inspector';
import { waitFor } from './support/processes';
import { pickFromWebviewMenu } from './support/webviewMenu';
import { openWorkspaceCapture } from './support/workspaceFiles';

const FIXTURE = join(__dirname, '..', 'fixtures', 'docker-bridge.pcap');
const FILE = 'e2e-service-map.pcap';

describe('the service map', { timeout: 240_000 }, () => {
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

  it('Service Map from the row menu draws the endpoints and services; a click on the HTTP arrow shows its packets', async () => {
    const row = inspector.grid().locator('.list-row:not([hidden])').first();
    await pickFromWebviewMenu(h.page, row.locator('.col-info'), ['Service Map']);
    const map = inspector.frame.locator('#service-map');
    await map.locator('.map-node').first().waitFor({ state: 'visible', timeout: 10_000 });
    const nodes = (await map.locator('.map-node-label').allTextContents()).sort();
    assert.deepEqual(nodes, ['172.30.99.10', '172.30.99.11', 'fd00:dc::10', 'fd00:dc::11']);
    const labels = await map.locator('.map-edge-label').allTextContents();
    assert.ok(labels.some((l) => l.startsWith('HTTP tcp/80') && l.includes('12 pkts')), JSON.stringify(labels));
    await h.screenshot('service-map');
    await map.locator('.map-edge[data-filter*="tcp.port == 80"] .map-edge-label').click();
    await waitFor('the HTTP packets', async () => (await inspector.rows()).length === 12, 10_000);
    assert.equal(await inspector.frame.inputValue('#filter-input'), 'ip.addr == 172.30.99.11 && ip.addr == 172.30.99.10 && tcp.port == 80');
    await h.screenshot('service-map-filtered');
  });
});
