/**
 * Issue 6's re-attach: a captured container stops, comes back with the same
 * name, and the extension offers to capture it again, with the same direction,
 * in the tab of the ended capture (as Wireshark restarts in its window).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCaptureFromTree } from './support/captureFlow';
import { helperProcesses } from './support/captureProcesses';
import { Inspector } from './support/inspector';
import { waitFor } from './support/processes';
import { killContainer, SERVER_NAME } from './support/scene';
import { docker } from '../support/dockerFixture';
import { e2eSession } from './support/session';

describe('capture again after the container restarts', { timeout: 240_000 }, () => {
  const session = e2eSession(__filename);

  it('offers Capture Again and starts the new capture in the ended tab, after asking to replace its packets', async () => {
    const first = await startCaptureFromTree(session.harness(), SERVER_NAME, 'Capture Egress Only');
    // Packets in the ended tab: Capture Again asks before replacing them.
    session.scene().fetchFromServer();
    await first.waitForRow('the response', (r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? ''));
    killContainer(SERVER_NAME);
    await waitFor('ended', async () => /ended/i.test(await first.statusLine()), 20_000);
    await waitFor('helper gone', () => helperProcesses().length === 0, 15_000);
    docker('start', SERVER_NAME);
    const text = await waitFor('the offer', async () => (await session.harness().workbench.notifications()).find((n) => n.includes('running again')), 20_000);
    await session.harness().screenshot('offer');
    assert.match(text, new RegExp(`Container ${SERVER_NAME} is running again\\. Capture again\\? \\(egress\\)`));
    await session.harness().page.locator('.notifications-toasts .monaco-button', { hasText: 'Capture Again' }).first().click();
    const question = await session.harness().workbench.answerModal('Capture Again');
    assert.match(question, new RegExp(`Capture ${SERVER_NAME} again in this tab\\?`));
    await waitFor('a new helper', () => helperProcesses().length === 1, 30_000);
    assert.equal((await session.harness().workbench.tabTitles()).filter((t) => t.includes(SERVER_NAME)).length, 1, 'the ended tab was reused, no other opened');
    const second = await Inspector.active(session.harness().workbench);
    await waitFor('capturing', async () => /Capturing/.test(await second.statusLine()), 15_000);
    await session.harness().screenshot('captured-again');
    session.scene().fetchFromServer();
    const rows = await waitFor('rows', async () => { const r = await second.rows(); return r.some((x) => /HTTP\/1\.[01] 200/.test(x.text.Info ?? '')) ? r : undefined; }, 20_000);
    assert.ok(rows.every((r) => r.text.Dir === 'OUT'), 'egress only, as before');
  });
});
