/**
 * Scenario 9: the container stops while it is being captured. The tab says
 * the capture ended, keeps its packets, and they can still be saved.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { saveFromInspector, startCaptureFromTree } from './support/captureFlow';
import { helperRelatedProcesses } from './support/captureProcesses';
import { asciiHex, Inspector } from './support/inspector';
import { waitFor } from './support/processes';
import { killContainer, SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

const REQUEST_LINE = 'GET / HTTP/1.1';

describe('a container stopped during its capture', { timeout: 240_000 }, () => {
  const session = e2eSession(__filename);

  let inspector: Inspector | undefined;

  it('9. when the container stops, the tab says the capture ended (and not that it failed)', async () => {
    const capture = await startCaptureFromTree(session.harness(), SERVER_NAME, 'Capture Traffic');
    inspector = capture;
    session.scene().fetchFromServer();
    await capture.waitForRow(REQUEST_LINE, (r) => r.text.Info?.includes(REQUEST_LINE) === true);

    killContainer(SERVER_NAME);
    // Whatever it says first once the container is gone: capturing no more.
    const status = await waitFor('the status line to change', async () => {
      const s = await capture.statusLine();
      return /ended|stopped|exited|fail|error/i.test(s) ? s : undefined;
    }, 20_000);
    await session.harness().screenshot('container-stopped-during-capture');
    // A container stopping is the normal end of its capture, not a failure:
    // no error state, no "failed" message, and it says why it ended.
    assert.equal(await capture.statusIsError(), false, `status: ${status}`);
    assert.doesNotMatch(status, /fail|error/i);
    assert.match(status, /ended|stopped/i);
    assert.ok(!(await session.harness().workbench.notifications()).some((n) => /fail/i.test(n)), 'no failure notification');
  });

  it('9. the ended capture keeps its packets, ends its helper and can still save them', async () => {
    assert.ok(inspector, 'the capture was started');
    assert.equal(await inspector.stopVisible(), false, 'nothing left to stop');
    await waitFor('the helper to exit', () => helperRelatedProcesses().length === 0, 15_000);
    assert.ok((await inspector.rows()).some((r) => r.text.Info?.includes(REQUEST_LINE)), 'the packets stay');
    // Docker lists a stopped container without its address; the rows it sent keep its name.
    await waitFor('the tree to show the container exited', async () => /Exited/i.test(await session.harness().workbench.treeRowDescription(SERVER_NAME)), 20_000);
    const request = (await inspector.rows()).find((r) => r.text.Info?.includes(REQUEST_LINE));
    assert.equal(request?.text.Destination, SERVER_NAME, `rows keep the stopped container's name, not its raw IP: ${JSON.stringify(request?.text)}`);

    const path = join(session.harness().server.workspace, 'after-stop.json');
    await saveFromInspector(session.harness(), inspector, 'json', path);
    const records = JSON.parse(readFileSync(path, 'utf8')) as { payload?: string; dst?: string }[];
    assert.ok(records.some((r) => r.payload?.includes(asciiHex(REQUEST_LINE)) && r.dst === session.scene().serverIp), 'the saved file holds the request');
  });
});
