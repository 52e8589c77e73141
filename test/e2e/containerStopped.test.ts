/**
 * Scenario 9: the container stops while it is being captured. The tab says
 * the capture ended, keeps its packets, and they can still be saved.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './harness';
import { saveFromInspector, startCaptureFromTree } from './support/captureFlow';
import { helperRelatedProcesses } from './support/captureProcesses';
import { asciiHex } from './support/inspector';
import { waitFor } from './support/processes';
import { createScene, killContainer, SERVER_NAME, type Scene } from './support/scene';

const REQUEST_LINE = 'GET / HTTP/1.1';

describe('a container stopped during its capture', { timeout: 240_000 }, () => {
  let scene: Scene | undefined;
  let h: Harness | undefined;

  before(async () => {
    scene = createScene();
    h = await startHarness(__filename);
  });
  after(async () => {
    await h?.dispose();
    scene?.dispose();
  });

  it('9. the tab says the capture ended, keeps its packets and can still save them', async () => {
    const inspector = await startCaptureFromTree(h!, SERVER_NAME, 'Capture Traffic');
    scene!.fetchFromServer();
    await inspector.waitForRow(REQUEST_LINE, (r) => r.text.Info?.includes(REQUEST_LINE) === true);

    killContainer(SERVER_NAME);
    const status = await waitFor('the status line to say the capture ended', async () => {
      const s = await inspector.statusLine();
      return /ended|stopped|exited/i.test(s) ? s : undefined;
    }, 20_000);
    await h!.screenshot('container-stopped-during-capture');
    assert.doesNotMatch(status, /^\s*capturing/i);
    assert.equal(await inspector.stopVisible(), false, 'nothing left to stop');
    await waitFor('the helper to exit', () => helperRelatedProcesses().length === 0, 15_000);
    assert.ok((await inspector.rows()).some((r) => r.text.Info?.includes(REQUEST_LINE)), 'the packets stay');

    const path = join(h!.server.workspace, 'after-stop.json');
    await saveFromInspector(h!, inspector, 'json', path);
    const records = JSON.parse(readFileSync(path, 'utf8')) as { payload?: string; dst?: string }[];
    assert.ok(records.some((r) => r.payload?.includes(asciiHex(REQUEST_LINE)) && r.dst === scene!.serverIp), 'the saved file holds the request');
  });
});
