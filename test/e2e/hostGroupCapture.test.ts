/**
 * Two containers selected in the tree and captured together through the HOST
 * helper (real elevation: sudo-prompt -> pkexec -> polkit's rule for the test
 * user): one elevation starts ONE helper for both, and one tab shows the
 * exchange between them once, naming both ends in the Container column. Then
 * Stop, and Capture Again on that tab: it asks before replacing the packets,
 * captures the same two containers again in the same tab (no new tab), again
 * through one helper. After a window reload the tab comes back with its rows
 * and Capture Again still captures both (the group is in the tab's record).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helperProcesses, helperRelatedProcesses } from './support/captureProcesses';
import { Inspector, showsAddress } from './support/inspector';
import { waitFor } from './support/processes';
import { CLIENT_NAME, SERVED_TEXT, SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

const REQUEST_LINE = 'GET / HTTP/1.1';

describe('several containers through the host helper: one elevation, one tab, Capture Again', { timeout: 300_000 }, () => {
  const session = e2eSession(__filename, { settings: { 'dockerNetworkCapture.captureBackend': 'hostHelper' } });

  /** The active tab once it captures both; found anew on each try, as Capture Again reloads the tab's webview. */
  const capturingBoth = (): Promise<Inspector> =>
    waitFor('the inspector to capture both containers', async () => {
      const inspector = await Inspector.active(session.harness().workbench, 5_000).catch(() => undefined);
      const line = (await inspector?.statusLine().catch(() => '')) ?? '';
      return line.includes(CLIENT_NAME) && line.includes(SERVER_NAME) && /capturing/i.test(line) ? inspector : undefined;
    }, 90_000, 500);

  const exchangeSeenOnce = async (inspector: Inspector): Promise<void> => {
    const { serverIp, clientIp } = session.scene();
    assert.equal(session.scene().fetchFromServer().trim(), SERVED_TEXT);
    const request = await inspector.waitForRow('the GET, seen by both', (r) => r.text.Info?.includes(REQUEST_LINE) === true && r.text.Container === `${CLIENT_NAME} → ${SERVER_NAME}`, 30_000);
    assert.ok(showsAddress(request, 'Source', clientIp) && showsAddress(request, 'Destination', serverIp), JSON.stringify(request));
    const response = await inspector.waitForRow('the response, seen by both', (r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? '') && r.text.Container === `${SERVER_NAME} → ${CLIENT_NAME}`, 30_000);
    assert.equal(response.text.Dir, 'OUT', 'the response row is the copy the server sent');
  };

  it('select both, Capture Traffic: one helper, one tab, each packet between them once', async () => {
    const h = session.harness();
    await h.workbench.openActivity('Network Capture');
    const serverRow = h.workbench.treeRow(SERVER_NAME);
    const clientRow = h.workbench.treeRow(CLIENT_NAME);
    await serverRow.first().waitFor({ state: 'visible', timeout: 30_000 });
    await serverRow.first().click();
    await clientRow.first().click({ modifiers: ['Control'] });
    await h.workbench.contextMenu(clientRow, 'Capture Traffic');
    const inspector = await capturingBoth();
    assert.equal(helperProcesses().length, 1, 'one elevated helper captures both containers');
    const titles = await h.workbench.tabTitles();
    assert.ok(titles.some((t) => t.includes(`${SERVER_NAME}, ${CLIENT_NAME}`) || t.includes(`${CLIENT_NAME}, ${SERVER_NAME}`)), `one tab for both: ${titles.join(' | ')}`);
    await exchangeSeenOnce(inspector);
    await inspector.typeFilter(`info contains "${REQUEST_LINE}"`);
    await waitFor('the filter to leave the one request', async () => (await inspector.counter('shown')) === '1 shown', 10_000);
    await h.screenshot('host-group-capture');

    await inspector.click('stop-button');
    await waitFor('the inspector to say the capture ended', async () => /ended|stopped/i.test(await inspector.statusLine()), 30_000);
    await waitFor('the helper to exit', () => helperRelatedProcesses().length === 0, 30_000);
  });

  it('Capture Again on that tab captures the same two containers again, in the same tab', async () => {
    const h = session.harness();
    const inspector = await Inspector.active(h.workbench, 30_000);
    assert.equal(await inspector.captureAgainVisible(), true, 'an ended capture of several containers offers Capture Again');
    const tabsBefore = (await h.workbench.tabTitles()).length;
    await inspector.click('capture-again-button');
    const question = await h.workbench.answerModal('Capture Again');
    assert.match(question, /again in this tab\? Its \d+ packets will be replaced/);
    assert.ok(question.includes(SERVER_NAME) && question.includes(CLIENT_NAME), question);
    const again = await capturingBoth();
    assert.equal((await h.workbench.tabTitles()).length, tabsBefore, 'no other tab was opened');
    assert.equal(helperProcesses().length, 1, 'again one helper for both');
    await again.typeFilter('');
    await exchangeSeenOnce(again);
    await h.screenshot('host-group-capture-again');
    await again.click('stop-button');
    await waitFor('the helper to exit', () => helperRelatedProcesses().length === 0, 30_000);
  });

  it('after a window reload the tab shows its rows and still offers Capture Again, which captures both again', async () => {
    const h = session.harness();
    const { workbench } = h;
    await workbench.runCommand('Developer: Reload Window');
    await h.page.waitForLoadState('domcontentloaded');
    await workbench.waitUntilReady();
    const bothTab = (t: string): boolean => t.includes(SERVER_NAME) && t.includes(CLIENT_NAME);
    const title = await waitFor('the tab of both to be back', async () => (await workbench.tabTitles()).find(bothTab), 30_000);
    await workbench.activateTab(title);
    const restored = await Inspector.active(workbench, 30_000);
    await waitFor('the restored status', async () => /Capture ended/.test(await restored.statusLine()), 30_000);
    await restored.typeFilter('');
    await restored.waitForRow('the GET read back, seen by both', (r) => r.text.Info?.includes(REQUEST_LINE) === true && r.text.Container === `${CLIENT_NAME} → ${SERVER_NAME}`, 30_000);
    assert.equal(await restored.captureAgainVisible(), true, 'a restored tab of several containers offers Capture Again');
    const tabsBefore = (await workbench.tabTitles()).length;
    await restored.click('capture-again-button');
    const question = await workbench.answerModal('Capture Again');
    assert.ok(question.includes(SERVER_NAME) && question.includes(CLIENT_NAME), question);
    const again = await capturingBoth();
    assert.equal((await workbench.tabTitles()).length, tabsBefore, 'no other tab was opened');
    assert.equal(helperProcesses().length, 1, 'one helper for both');
    await again.typeFilter('');
    await exchangeSeenOnce(again);
    await h.screenshot('host-group-capture-again-after-reload');
    await again.click('stop-button');
    await waitFor('the helper to exit', () => helperRelatedProcesses().length === 0, 30_000);
  });
});
