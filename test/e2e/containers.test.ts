/**
 * Scenario 1: the Network Capture view lists the test containers with their
 * state, and follows Docker by itself when a container stops.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from './support/processes';
import { CLIENT_NAME, killContainer, SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

describe('Network Capture view', { timeout: 180_000 }, () => {
  const session = e2eSession(__filename);

  it('lists the running test containers with image, state and capture actions', async () => {
    const { workbench } = session.harness();
    await workbench.openActivity('Network Capture');
    for (const name of [SERVER_NAME, CLIENT_NAME]) {
      await workbench.treeRow(name).waitFor({ state: 'visible', timeout: 20_000 });
    }
    await session.harness().screenshot('containers-listed');
    for (const name of [SERVER_NAME, CLIENT_NAME]) {
      const description = await workbench.treeRowDescription(name);
      assert.match(description, /dnc-busybox:latest/, `${name}: ${description}`);
      assert.match(description, /\bUp\b/, `${name} should show as running: ${description}`);
      assert.equal(await workbench.treeRowIcon(name), 'vm-running');
    }
    const entries = await workbench.contextMenuEntries(workbench.treeRow(SERVER_NAME));
    for (const entry of ['Capture Traffic', 'Capture Egress Only', 'Capture Ingress Only']) {
      assert.ok(entries.includes(entry), `context menu of a running container: ${entries.join(', ')}`);
    }
  });

  it('shows a container as stopped when it stops in Docker, without a manual refresh', async () => {
    const { workbench } = session.harness();
    killContainer(CLIENT_NAME);
    const description = await waitFor(
      `${CLIENT_NAME} to show as exited`,
      async () => {
        const d = await workbench.treeRowDescription(CLIENT_NAME);
        return /Exited/i.test(d) ? d : undefined;
      },
      15_000,
    );
    await session.harness().screenshot('client-stopped');
    assert.doesNotMatch(description, /\bUp\b/);
    assert.notEqual(await workbench.treeRowIcon(CLIENT_NAME), 'vm-running');
    // The server is untouched.
    assert.match(await workbench.treeRowDescription(SERVER_NAME), /\bUp\b/);
    // A stopped container cannot be captured: its menu offers no capture.
    const entries = await workbench.contextMenuEntries(workbench.treeRow(CLIENT_NAME));
    assert.ok(!entries.includes('Capture Traffic'), `context menu of a stopped container: ${entries.join(', ')}`);
  });
});
