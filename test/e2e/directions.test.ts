/**
 * Scenario 8: Capture Egress Only on the client and Capture Ingress Only on
 * the server at the same time. Each tab holds only its own direction of its
 * own container's traffic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCaptureFromTree } from './support/captureFlow';
import type { Locator, Page } from 'playwright-core';
import { helperProcesses, helperRelatedProcesses, tcpdumpsBelow } from './support/captureProcesses';
import { Inspector, showsAddress, type PacketRow } from './support/inspector';
import { CLIENT_NAME, SERVER_NAME } from './support/scene';
import { commandLineOf, isAlive, waitFor } from './support/processes';
import { e2eSession } from './support/session';

const REQUEST_LINE = 'GET / HTTP/1.1';
const isResponse = (r: PacketRow): boolean => /HTTP\/1\.[01] 200/.test(r.text.Info ?? '');
/**
 * The test's own HTTP exchange. Other rows are legitimately there too: what a
 * container receives includes link-local multicast from its neighbours (router
 * solicitations, MLD) and broadcast ARP, none of them addressed to its IP.
 */
const isTestExchange = (r: PacketRow): boolean => /^(TCP|HTTP)$/.test(r.text.Protocol ?? '');

describe('egress-only and ingress-only captures side by side', { timeout: 240_000 }, () => {
  const session = e2eSession(__filename);

  it('8. each tab shows only its own direction and its own container', async () => {
    const { serverIp, clientIp } = session.scene();
    await startCaptureFromTree(session.harness(), CLIENT_NAME, 'Capture Egress Only');
    await startCaptureFromTree(session.harness(), SERVER_NAME, 'Capture Ingress Only');
    assert.equal(helperProcesses().length, 2, 'two captures, two helpers');

    assert.equal(session.scene().fetchFromServer().trim().length > 0, true);

    await session.harness().workbench.activateTab(CLIENT_NAME);
    const egress = await Inspector.active(session.harness().workbench);
    await egress.waitForRow(`${REQUEST_LINE} leaving ${CLIENT_NAME}`, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    await session.harness().screenshot('client-egress');
    const egressRows = await egress.rows();
    assert.ok(egressRows.every((r) => r.text.Dir === 'OUT'), describeRows(egressRows));
    assert.ok(egressRows.filter(isTestExchange).every((r) => showsAddress(r, 'Source', clientIp)), describeRows(egressRows));
    assert.ok(!egressRows.some(isResponse), 'the response the client received is not in its egress capture');

    await session.harness().workbench.activateTab(SERVER_NAME);
    const ingress = await Inspector.active(session.harness().workbench);
    await ingress.waitForRow(`${REQUEST_LINE} arriving at ${SERVER_NAME}`, (r) => r.text.Info?.includes(REQUEST_LINE) === true);
    await session.harness().screenshot('server-ingress');
    const ingressRows = await ingress.rows();
    assert.ok(ingressRows.every((r) => r.text.Dir === 'IN'), describeRows(ingressRows));
    assert.ok(ingressRows.filter(isTestExchange).every((r) => showsAddress(r, 'Destination', serverIp)), describeRows(ingressRows));
    assert.ok(!ingressRows.some(isResponse), 'the response the server sent is not in its ingress capture');

    // The status bar, then Stop All Captures must really stop both: the status-bar count goes, each
    // tab says its capture ended, and no helper or tcpdump is left running.
    const helpers = helperProcesses();
    const tcpdumps = helpers.flatMap((h) => tcpdumpsBelow(h).map((t) => t.pid));
    assert.equal(helpers.length, 2);
    assert.ok(tcpdumps.length >= 2, `tcpdumps below the helpers: ${tcpdumps.join(', ')}`);
    const statusItem = captureStatusItem(session.harness().workbench.page);
    assert.match((await statusItem.textContent()) ?? '', /\d packets/, 'the status bar counts the running captures');

    // A click on the status bar stops the active tab's capture only: the server's, in view.
    await statusItem.click();
    await waitFor('the server capture\'s helper to exit, the client\'s to run on', () => helpers.filter((p) => isAlive(p)).length === 1, 15_000);
    await waitFor('the server tab to say its capture ended', async () => /Capture ended/.test(await ingress.statusLine()), 10_000);
    assert.equal(await statusItem.isVisible(), true, 'the client capture still counts in the status bar');
    await session.harness().workbench.activateTab(CLIENT_NAME);
    assert.match(await (await Inspector.active(session.harness().workbench)).statusLine(), /Capturing/, 'the client capture runs on');

    await session.harness().workbench.runCommand('Network Capture: Stop All Captures');

    await waitFor('the helpers and their tcpdumps to exit', () => [...helpers, ...tcpdumps].every((p) => !isAlive(p)), 15_000);
    await statusItem.waitFor({ state: 'hidden', timeout: 10_000 });
    await session.harness().screenshot('stopped-all');
    // pkexec and its wrapper shells exit just after the helper they wait for.
    await waitFor('no helper, pkexec or wrapper shell left', () => helperRelatedProcesses().length === 0, 10_000).catch(() => {
      assert.fail(`left running: ${helperRelatedProcesses().map((p) => `${p} ${commandLineOf(p)}`).join('; ')}`);
    });
    for (const tab of [CLIENT_NAME, SERVER_NAME]) {
      await session.harness().workbench.activateTab(tab);
      const inspector = await Inspector.active(session.harness().workbench);
      const status = await waitFor(`${tab}: the status line to say the capture ended`, async () => {
        const line = await inspector.statusLine();
        return /Capture ended/.test(line) ? line : undefined;
      }, 10_000);
      assert.equal(await inspector.statusIsError(), false, `${tab}: ${status}`);
      assert.equal(await inspector.stopVisible(), false, `${tab}: nothing left to stop`);
      assert.ok((await inspector.rows()).some((r) => r.text.Info?.includes(REQUEST_LINE)), `${tab}: the packets stay`);
    }
  });
});

/** The extension's status-bar entry (`$(record) N packets`; clicking it stops the active tab's capture). */
function captureStatusItem(page: Page): Locator {
  return page.locator('.part.statusbar .statusbar-item[id$="dockerNetworkCapture.captures"]');
}

function describeRows(rows: PacketRow[]): string {
  return rows.map((r) => `${r.text.Dir} ${r.text.Source} > ${r.text.Destination} ${r.text.Protocol} ${r.text.Info}`).join('\n');
}
