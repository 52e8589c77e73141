/** What a restored tab reads back from its webview's saved state (a less trusted runtime: shapes checked, strings bounded). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromWebview } from '../../src/extension/inspector/inspectorConnection';
import { restoredEndStatus, restoredHostState } from '../../src/extension/inspector/restoredState';

test('a capture ended by its container stopping comes back with that reason; a running one with none (the caller says "reloaded")', () => {
  assert.deepEqual(restoredEndStatus({ filterText: '', endStatus: { state: 'ended', message: 'container stopped' } }), { state: 'ended', message: 'container stopped' });
  assert.deepEqual(restoredEndStatus({ endStatus: { state: 'error', message: 'tcpdump failed' } }), { state: 'error', message: 'tcpdump failed' });
  assert.equal(restoredEndStatus({ filterText: 'tcp' }), undefined, 'still capturing at the reload');
  assert.equal(restoredEndStatus({ endStatus: { state: 'capturing', message: 'x' } }), undefined);
  assert.equal(restoredEndStatus({ endStatus: { state: 'ended', message: 42 } }), undefined);
  assert.equal(restoredEndStatus(undefined), undefined);
  assert.equal(restoredEndStatus({ endStatus: { state: 'ended', message: 'x'.repeat(10_000) } })?.message?.length, 500);
});

test('the host state keeps direction and filter for Capture Again, and drops what has the wrong shape', () => {
  assert.deepEqual(restoredHostState({ host: { spool: '/s/a.pcap', container: { id: 'abc', name: 'web' }, direction: 'egress', filter: 'tcp port 80' } }), {
    spool: '/s/a.pcap', container: { id: 'abc', name: 'web' }, direction: 'egress', filter: 'tcp port 80',
  });
  assert.deepEqual(restoredHostState({ host: { spool: '/s/a.pcap', container: { id: 1 }, direction: 'sideways', filter: 7 } }), { spool: '/s/a.pcap' });
  assert.equal(restoredHostState({ host: { spool: 3 } }), undefined);
  assert.equal(restoredHostState({}), undefined);
});

test('Capture Again from the webview is a message the host accepts', () => {
  assert.deepEqual(parseFromWebview({ type: 'captureAgain', extra: 'ignored' }), { type: 'captureAgain' });
});
