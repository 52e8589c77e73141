/**
 * Issue 6's fault "the panel is closed during a capture": closing the
 * inspector tab (answering Don't Save to the unsaved-packets question) stops
 * its capture, and nothing of it is left running.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { startCaptureFromTree } from './support/captureFlow';
import { boundUnixSocketPaths, helperChannelSocketPaths, helperProcesses, helperRelatedProcesses, tcpdumpsBelow } from './support/captureProcesses';
import { isAlive, waitFor } from './support/processes';
import { SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

describe('closing the inspector tab during a capture', { timeout: 240_000 }, () => {
  const session = e2eSession(__filename);

  it('stops the capture: no helper, tcpdump, socket or channel folder is left', async () => {
    const h = session.harness();
    const inspector = await startCaptureFromTree(h, SERVER_NAME, 'Capture Traffic');
    session.scene().fetchFromServer();
    await inspector.waitForRow('the HTTP request', (r) => /GET \//.test(r.text.Info ?? ''));
    const helpers = helperProcesses();
    assert.equal(helpers.length, 1, 'one capture running');
    const helper = helpers[0] as number;
    const tcpdumps = tcpdumpsBelow(helper).map((t) => t.pid);
    const sockets = helperChannelSocketPaths(helper);
    assert.ok(tcpdumps.length > 0 && sockets.length > 0, 'a helper with tcpdump and a channel');

    await h.workbench.closeAllEditors();
    // The tab holds packets never saved: VS Code asks first (unsavedClose.test.ts covers Save and Cancel).
    await h.workbench.answerModal('Don\'t Save');
    await waitFor('the capture tab to close', async () => !(await h.workbench.tabTitles()).some((t) => t.includes(SERVER_NAME)), 10_000);
    await waitFor('the helper and its tcpdumps to exit', () => [helper, ...tcpdumps].every((p) => !isAlive(p)), 15_000);
    await h.screenshot('tab-closed');
    assert.deepEqual(helperRelatedProcesses(), [], 'no helper, pkexec or wrapper shell left');
    const bound = boundUnixSocketPaths();
    for (const socket of sockets) {
      assert.ok(!bound.has(socket) && !existsSync(socket), `${socket} is gone`);
      assert.ok(!existsSync(dirname(socket)), `${dirname(socket)} is gone`);
    }
  });
});
