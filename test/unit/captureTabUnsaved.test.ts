/**
 * Issue 14, "closing a tab with packets that were never saved asks first":
 * when a capture tab tells VS Code it is dirty (once per unsaved stretch),
 * what a save covers, and what its URI and reload record keep.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureTabRecords, type RecordStorage } from '../../src/extension/captureTab/captureTabRecords';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURE_TAB_SCHEME, captureTabUriParts, parseCaptureTabUri, workingCopyPathPrefix } from '../../src/extension/captureTab/captureTabUri';
import { UnsavedPackets } from '../../src/extension/captureTab/unsavedPackets';

function tracker(restoredDirty = false): { unsaved: UnsavedPackets; told: () => number } {
  let told = 0;
  return { unsaved: new UnsavedPackets(() => told++, restoredDirty), told: () => told };
}

test('a capture without packets is never dirty; the first batch makes it dirty, once', () => {
  const { unsaved, told } = tracker();
  assert.equal(unsaved.unsaved, false);
  assert.equal(told(), 0);
  unsaved.packetsArrived();
  unsaved.packetsArrived();
  unsaved.packetsArrived();
  assert.equal(unsaved.unsaved, true);
  assert.equal(told(), 1, 'one change event per unsaved stretch, not one per batch');
});

test('after a save the tab is clean until new packets arrive', () => {
  const { unsaved, told } = tracker();
  unsaved.packetsArrived();
  unsaved.saveStarted();
  unsaved.saveSettled();
  assert.equal(unsaved.unsaved, false);
  assert.equal(told(), 1);
  unsaved.packetsArrived();
  assert.equal(unsaved.unsaved, true);
  assert.equal(told(), 2);
});

test('packets arriving while a save writes make the tab dirty again only after VS Code marked it clean', () => {
  const { unsaved, told } = tracker();
  unsaved.packetsArrived();
  unsaved.saveStarted();
  unsaved.packetsArrived();
  assert.equal(told(), 1, 'not told during the save: VS Code would mark it clean right after');
  unsaved.saveSettled();
  assert.equal(told(), 2, 'told once the save settled: those packets may not be in the file');
  assert.equal(unsaved.unsaved, true);
});

test('a failed or cancelled save leaves the packets unsaved', () => {
  const { unsaved, told } = tracker();
  unsaved.packetsArrived();
  unsaved.saveStarted();
  unsaved.saveFailed();
  assert.equal(unsaved.unsaved, true);
  unsaved.packetsArrived();
  assert.equal(told(), 1, 'VS Code still shows it dirty: nothing more to tell');
});

test('a tab restored from a hot-exit backup is unsaved without being told; a revert cleans it', () => {
  const { unsaved, told } = tracker(true);
  assert.equal(unsaved.unsaved, true);
  unsaved.reverted();
  assert.equal(unsaved.unsaved, false);
  assert.equal(told(), 0);
});

test('the tab URI carries the title (slashes kept out of the path) and the tab id, and nothing else parses', () => {
  const tabId = 'a'.repeat(32);
  const parts = captureTabUriParts({ title: 'Capture: web (net 10.0.0.0/8)', tabId });
  assert.equal(parts.path, '/Live Captures/Capture: web (net 10.0.0.0\u22158)');
  assert.deepEqual(parseCaptureTabUri(CAPTURE_TAB_SCHEME, parts.path, parts.query), { title: 'Capture: web (net 10.0.0.0\u22158)', tabId });
  assert.equal(parseCaptureTabUri('file', parts.path, parts.query), undefined);
  assert.equal(parseCaptureTabUri(CAPTURE_TAB_SCHEME, '/Live Captures/a/b', parts.query), undefined);
  assert.equal(parseCaptureTabUri(CAPTURE_TAB_SCHEME, '/Capture: web', parts.query), undefined);
  assert.equal(parseCaptureTabUri(CAPTURE_TAB_SCHEME, parts.path, 'tab=../x'), undefined);
  assert.equal(parseCaptureTabUri(CAPTURE_TAB_SCHEME, parts.path, ''), undefined);
});

test('records keep a tab\'s spool and end across reloads, and drop tabs whose spool is gone', async () => {
  const map = new Map<string, unknown>();
  const storage: RecordStorage = { get: <T>(k: string) => map.get(k) as T | undefined, update: (k, v) => Promise.resolve(void map.set(k, v)) };
  const records = new CaptureTabRecords(storage);
  await records.set('t1', { spool: '/s/one.pcap', container: { id: 'c', name: 'web' }, direction: 'egress' });
  await records.set('t2', { spool: '/s/two.pcap' });
  await records.ended('t1', { state: 'capturing' });
  assert.equal(records.get('t1')?.end, undefined, 'a running capture has no end');
  await records.ended('t1', { state: 'ended', message: 'Capture ended: container stopped' });
  assert.deepEqual(records.get('t1')?.end, { state: 'ended', message: 'Capture ended: container stopped' });
  await records.prune((path) => Promise.resolve(path === '/s/one.pcap'));
  assert.equal(records.get('t2'), undefined);
  assert.equal(records.get('t1')?.container?.name, 'web');
  await records.delete('t1');
  assert.equal(records.get('t1'), undefined);
});

test('auto-save is off for capture tabs: the language matches the tab URI and its working copy URI', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { languages: { id: string; filenamePatterns: string[] }[]; configurationDefaults: Record<string, Record<string, unknown>> };
  };
  const language = manifest.contributes.languages.find((l) => l.id === 'docker-capture-tab');
  assert.ok(language);
  assert.equal(manifest.contributes.configurationDefaults['[docker-capture-tab]']?.['files.autoSave'], 'off');
  const prefix = workingCopyPathPrefix();
  assert.doesNotMatch(prefix.slice(1), /[/+]/, 'one path segment');
  assert.ok(language.filenamePatterns.includes(`${prefix}*`) && language.filenamePatterns.includes(`${prefix}*/**`));
  // What VS Code 1.100 makes of a tab URI (btoa of the UTF-16 code units of `uri.toString(true)`).
  const uri = `${CAPTURE_TAB_SCHEME}:${captureTabUriParts({ title: 'Capture: web', tabId: 'a'.repeat(32) }).path}`;
  const units = new Uint16Array([...uri].map((c) => c.charCodeAt(0)));
  assert.ok(`/${Buffer.from(units.buffer).toString('base64')}`.startsWith(prefix));
  assert.ok(language.filenamePatterns.includes('/live captures/*'));
  assert.match(captureTabUriParts({ title: 'x', tabId: 'a'.repeat(32) }).path.toLowerCase(), /^\/live captures\/[^/]+$/);
});
