/**
 * Issue 14: "closing a tab with packets that were never saved asks first".
 * A capture tab with packets shows as unsaved, and closing it makes VS Code
 * ask Save / Don't Save / Cancel: Cancel keeps the tab and its capture, Save
 * (after asking where; cancelling that keeps the tab too) writes a pcap that
 * tcpdump and tshark read with the packets, Don't Save
 * closes it and stops the capture with nothing left behind. A capture that
 * caught nothing, and an opened pcap file, close without asking.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { startCaptureFromTree } from './support/captureFlow';
import { helperProcesses, helperRelatedProcesses, tcpdumpsBelow } from './support/captureProcesses';
import { Inspector } from './support/inspector';
import { isAlive, waitFor } from './support/processes';
import { SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';
import { spoolFiles } from './support/workspaceFiles';

const REQUEST_LINE = 'GET / HTTP/1.1';
const TAB = `Capture: ${SERVER_NAME}`;
const SAVED = 'e2e-unsaved-close.pcap';


function readWith(tool: 'tcpdump' | 'tshark', path: string): string[] {
  const args = tool === 'tcpdump' ? ['-nn', '-r', path] : ['-r', path];
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
}

describe('closing a capture tab with packets that were never saved', { timeout: 360_000 }, () => {
  const session = e2eSession(__filename);
  let savedPath = '';
  let capture: { helper: number; tcpdumps: number[] } | undefined;

  before(() => {
    savedPath = join(session.harness().server.workspace, SAVED);
  });

  const closeActiveTab = (): Promise<void> => session.harness().workbench.runCommand('View: Close Editor');

  it('a capture with packets shows as unsaved; closing it asks Save / Don\'t Save / Cancel; Cancel keeps the tab and its capture', async () => {
    const { workbench } = session.harness();
    const inspector = await startCaptureFromTree(session.harness(), SERVER_NAME, 'Capture Traffic');
    const helper = helperProcesses()[0];
    assert.ok(helper, 'a capture helper runs');
    capture = { helper, tcpdumps: tcpdumpsBelow(helper).map((t) => t.pid) };
    session.scene().fetchFromServer();
    await inspector.waitForRow(REQUEST_LINE, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    await waitFor('the tab to show unsaved changes', () => workbench.tabIsDirty(TAB), 10_000);

    await closeActiveTab();
    const buttons = await workbench.modalButtons();
    await session.harness().screenshot('asked-before-closing');
    assert.equal(await workbench.quickInputBox().isVisible(), false, 'only the question shows (no save box before an answer)');
    // The web dialog's DOM order is not the order shown: compare the set.
    assert.deepEqual([...buttons].sort(), ['Cancel', 'Don\'t Save', 'Save']);
    const question = await workbench.answerModal('Cancel');
    assert.match(question, new RegExp(`save the changes you made to ${TAB}`));

    assert.ok((await workbench.tabTitles()).some((t) => t.includes(TAB)), 'the tab stays');
    assert.ok(isAlive(helper), 'the capture goes on');
    session.scene().fetchFromServer();
    const again = await Inspector.active(workbench);
    await waitFor('a second request in the list', async () => (await again.rows()).filter((r) => r.text.Info?.includes(REQUEST_LINE)).length >= 2, 20_000);
    assert.equal(await workbench.tabIsDirty(TAB), true, 'still unsaved');
  });

  it('Save asks where (Escape there keeps the tab), writes a pcap that tcpdump and tshark read with the request; then the tab closes and the capture stops', async () => {
    assert.ok(capture, 'the capture ran');
    const { workbench, page } = session.harness();
    // Save, then Escape in the box asking where: nothing is saved and the tab stays, unsaved.
    await closeActiveTab();
    await workbench.answerModal('Save');
    await workbench.quickInputBox().waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await workbench.quickInputBox().waitFor({ state: 'hidden' });
    assert.ok((await workbench.tabTitles()).some((t) => t.includes(TAB)), 'the tab stays when the save is cancelled');
    assert.equal(await workbench.tabIsDirty(TAB), true, 'still unsaved');
    assert.ok(isAlive(capture.helper), 'the capture goes on');
    assert.equal(existsSync(savedPath), false);

    await closeActiveTab();
    await workbench.answerModal('Save');
    await workbench.answerQuickInput(savedPath);
    await waitFor('the tab to close once saved', async () => !(await workbench.tabTitles()).some((t) => t.includes(TAB)), 20_000);
    await waitFor('the helper and its tcpdumps to exit', () => [capture!.helper, ...capture!.tcpdumps].every((p) => !isAlive(p)), 15_000);
    assert.ok(existsSync(savedPath) && statSync(savedPath).size > 24, `${savedPath} was written`);
    const byTcpdump = readWith('tcpdump', savedPath);
    const byTshark = readWith('tshark', savedPath);
    assert.ok(byTcpdump.filter((l) => l.includes(`HTTP: ${REQUEST_LINE}`)).length >= 2, `both requests, as tcpdump reads the file:\n${byTcpdump.join('\n')}`);
    assert.ok(byTshark.filter((l) => l.includes(REQUEST_LINE)).length >= 2, `both requests, as tshark reads the file:\n${byTshark.join('\n')}`);
    assert.equal(byTshark.length, byTcpdump.length, 'the same packets for both readers');
  });

  it('Don\'t Save closes the tab and stops its capture: no helper, tcpdump or spool is left, no file written', async () => {
    const { workbench, server } = session.harness();
    const workspaceBefore = readdirSync(server.workspace).sort();
    const inspector = await startCaptureFromTree(session.harness(), SERVER_NAME, 'Capture Traffic');
    const helper = helperProcesses()[0];
    assert.ok(helper, 'a capture helper runs');
    const tcpdumps = tcpdumpsBelow(helper).map((t) => t.pid);
    session.scene().fetchFromServer();
    await inspector.waitForRow(REQUEST_LINE, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    await waitFor('the tab to show unsaved changes', () => workbench.tabIsDirty(TAB), 10_000);
    assert.equal(spoolFiles(server.userDataDir).length, 1, 'the capture spools its packets');

    await closeActiveTab();
    await workbench.answerModal('Don\'t Save');
    await waitFor('the tab to close', async () => !(await workbench.tabTitles()).some((t) => t.includes(TAB)), 10_000);
    await waitFor('the helper and its tcpdumps to exit', () => [helper, ...tcpdumps].every((p) => !isAlive(p)), 15_000);
    await session.harness().screenshot('closed-without-saving');
    assert.deepEqual(helperRelatedProcesses(), [], 'no helper, pkexec or wrapper shell left');
    await waitFor('the spool to be removed', () => spoolFiles(server.userDataDir).length === 0, 10_000);
    assert.deepEqual(readdirSync(server.workspace).sort(), workspaceBefore, 'nothing was saved');
  });

  it('a capture that caught nothing closes without asking', async () => {
    const h = session.harness();
    await h.workbench.openActivity('Network Capture');
    const row = h.workbench.treeRow(SERVER_NAME);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    const helpersBefore = new Set(helperProcesses());
    await h.workbench.contextMenu(row, 'Capture with Filter…');
    // Nothing on these test networks sends to the discard port.
    await h.workbench.answerQuickInput('udp port 9');
    const inspector = await Inspector.active(h.workbench, 30_000);
    await waitFor('the capture helper to run', () => helperProcesses().some((p) => !helpersBefore.has(p)), 30_000);
    await waitFor('the tab to say it is capturing', async () => /Capturing/.test(await inspector.statusLine()), 15_000);
    assert.equal(await h.workbench.tabIsDirty(SERVER_NAME), false, 'no packets, nothing unsaved');
    await closeActiveTab();
    await waitFor('the tab to close', async () => !(await h.workbench.tabTitles()).some((t) => t.includes(SERVER_NAME)), 10_000);
    assert.equal(await h.page.locator('.monaco-dialog-box').isVisible(), false, 'no question was asked');
    await waitFor('the capture to stop', () => helperRelatedProcesses().length === 0, 15_000);
  });

  it('an opened pcap file closes without asking', async () => {
    const { workbench, page } = session.harness();
    await workbench.openFromExplorer(SAVED);
    await waitFor('a tab for the pcap', async () => (await workbench.tabTitles()).some((t) => t.includes(SAVED)));
    const fileView = await Inspector.active(workbench);
    await fileView.waitForRow(REQUEST_LINE, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    assert.equal(await workbench.tabIsDirty(SAVED), false);
    await closeActiveTab();
    await waitFor('the pcap tab to close', async () => !(await workbench.tabTitles()).some((t) => t.includes(SAVED)), 10_000);
    assert.equal(await page.locator('.monaco-dialog-box').isVisible(), false, 'no question was asked');
  });
});
