/**
 * Issue 10: a capture tab of several containers keeps what it captured (the
 * selection or the Compose project) in its reload record, so the restored tab
 * still offers Capture Again. The record is stored state: it is read back
 * through the same checks as after a reload (restoredHostState), and an old
 * or malformed group restores the tab as before, without Capture Again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storedContainerGroup, type ContainerGroup } from '../../src/extension/capture/containerGroup';
import { CaptureTabRecords, recordOf, type RecordStorage } from '../../src/extension/captureTab/captureTabRecords';
import { restoredHostState } from '../../src/extension/inspector/restoredState';
import { RestoredCapture } from '../../src/extension/spool/restoredCapture';

/** Workspace state keeps JSON: what is stored comes back as a copy, as it does after a reload. */
function jsonStorage(): RecordStorage & { raw: Map<string, unknown> } {
  const raw = new Map<string, unknown>();
  return {
    raw,
    get: <T>(k: string) => (raw.has(k) ? (JSON.parse(JSON.stringify(raw.get(k))) as T) : undefined),
    update: (k, v) => Promise.resolve(void raw.set(k, JSON.parse(JSON.stringify(v)))),
  };
}

function groupTab(group: ContainerGroup | undefined): RestoredCapture {
  return new RestoredCapture('Capture: group', undefined, { maxPackets: 10, maxBytes: 1e6 }, { state: 'ended', message: 'done' }, { path: '/s/g.pcap' } as never, group);
}

/** What the capture tab reads back for `tabId` after a reload (CaptureEditorProvider.reopen). */
function reopened(records: CaptureTabRecords, tabId: string): ReturnType<typeof restoredHostState> {
  const record = records.get(tabId);
  return restoredHostState({ host: { ...record, spool: record?.spool } });
}

test('a selection of containers and a project survive the reload record with direction and filter', async () => {
  const records = new CaptureTabRecords(jsonStorage());
  const selection: ContainerGroup = { kind: 'containers', containers: [{ id: 'a1b2c3', name: 'web-1' }, { id: 'd4e5f6', name: 'db_1' }] };
  await records.set('sel', recordOf({ model: groupTab(selection), description: { direction: 'egress', filter: 'tcp port 80' } }));
  await records.set('proj', recordOf({ model: groupTab({ kind: 'project', project: 'shop' }), description: { direction: 'both' } }));
  assert.deepEqual(reopened(records, 'sel'), { spool: '/s/g.pcap', group: selection, direction: 'egress', filter: 'tcp port 80' });
  assert.deepEqual(reopened(records, 'proj'), { spool: '/s/g.pcap', group: { kind: 'project', project: 'shop' }, direction: 'both' });
  // The end recorded later keeps the group.
  await records.ended('proj', { state: 'ended', message: 'Capture ended' });
  assert.deepEqual(reopened(records, 'proj')?.group, { kind: 'project', project: 'shop' });
});

test('a one-container tab records no group; a record from before groups were kept restores without one', async () => {
  const storage = jsonStorage();
  const records = new CaptureTabRecords(storage);
  await records.set('one', recordOf({ model: groupTab(undefined), description: { direction: 'both' } }));
  assert.equal(records.get('one')?.group, undefined);
  // As an earlier version wrote it: spool and direction only.
  storage.raw.set('dockerNetworkCapture.captureTabs', { old: { spool: '/s/old.pcap', direction: 'ingress' } });
  assert.deepEqual(reopened(records, 'old'), { spool: '/s/old.pcap', direction: 'ingress' });
});

test('a malformed group is no group at all, never part of one', () => {
  const bad: unknown[] = [
    null, 'shop', 42, [], {},
    { kind: 'project' }, { kind: 'project', project: 7 }, { kind: 'project', project: '' }, { kind: 'project', project: 'Shop Now' }, { kind: 'project', project: '-x' },
    { kind: 'containers' }, { kind: 'containers', containers: [] }, { kind: 'containers', containers: 'web' },
    // One bad entry drops the whole selection: Capture Again must not capture fewer containers than the tab did.
    { kind: 'containers', containers: [{ id: 'a', name: 'web' }, { id: 'b', name: 'db; rm -rf /' }] },
    { kind: 'containers', containers: [{ id: 'a', name: 'web' }, null] },
    { kind: 'containers', containers: [{ id: 3, name: 'web' }] },
    { kind: 'containers', containers: [{ id: 'a', name: 'x'.repeat(300) }] },
    { kind: 'containers', containers: Array.from({ length: 501 }, (_, i) => ({ id: `c${i}`, name: `c${i}` })) },
    { kind: 'everything', project: 'shop' },
  ];
  for (const group of bad) {
    assert.equal(storedContainerGroup(group), undefined, JSON.stringify(group)?.slice(0, 80));
    // The tab itself still restores (its spool, direction), only without a group.
    assert.deepEqual(restoredHostState({ host: { spool: '/s/g.pcap', group, direction: 'both' } }), { spool: '/s/g.pcap', direction: 'both' });
  }
  // Extra fields are left behind.
  assert.deepEqual(storedContainerGroup({ kind: 'project', project: 'shop', containers: [{ id: 'x', name: 'x' }] }), { kind: 'project', project: 'shop' });
  assert.deepEqual(storedContainerGroup({ kind: 'containers', containers: [{ id: 'a', name: '/web', extra: 1 }] }), { kind: 'containers', containers: [{ id: 'a', name: '/web' }] });
});
