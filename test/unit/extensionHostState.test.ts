/**
 * The spool path must survive a window reload inside the webview's saved
 * state, which the webview script owns. The host's small script in the HTML
 * makes every state the webview saves carry it, without the webview knowing.
 * Run here in a VM with VS Code's acquireVsCodeApi contract (once per page).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { buildInspectorHtml, hostStateScript, type InspectorHostState } from '../../src/extension/inspector/inspectorHtml';

interface FakeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}

/** VS Code's webview API: acquirable once, state persisted by setState. */
function fakeWebviewGlobal(initialState: unknown) {
  const saved: unknown[] = [];
  const posted: unknown[] = [];
  let state = initialState;
  let acquired = false;
  const api: FakeApi = {
    postMessage: (m) => posted.push(m),
    getState: () => state,
    setState: (s) => {
      state = s;
      saved.push(s);
    },
  };
  const global: Record<string, unknown> = {
    acquireVsCodeApi: () => {
      if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
      acquired = true;
      return api;
    },
    Object,
  };
  global.globalThis = global;
  return { global, saved, posted, state: () => state };
}

/** VS Code keeps state as JSON; comparing as JSON also sidesteps the VM's own Object prototype. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const scriptBody = (html: string): string => html.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '');
const host: InspectorHostState = { spool: '/home/u/.storage/captures/web-20240101-120000-ab12.pcap', container: { id: 'abc', name: 'web' } };

test('the spool path is in the saved state at once and stays in every state the webview saves', () => {
  const page = fakeWebviewGlobal(undefined);
  runInNewContext(scriptBody(hostStateScript(host, 'n0nce')), page.global);
  assert.deepEqual(plain(page.saved), [{ host }], 'saved before the webview saved anything');
  // The webview script then acquires the API as usual (only once per page allowed by VS Code).
  const api = runInNewContext('acquireVsCodeApi()', page.global) as FakeApi;
  api.setState({ filterText: 'tcp', selectedNumber: 4, autoscroll: false, topNumber: 2 });
  assert.deepEqual(plain(page.state()), { filterText: 'tcp', selectedNumber: 4, autoscroll: false, topNumber: 2, host });
  api.postMessage({ type: 'ready' });
  assert.deepEqual(plain(page.posted), [{ type: 'ready' }], 'messages still reach the host');
});

test('after a reload the webview gets back its own fields (the restored page gets the script again)', () => {
  const page = fakeWebviewGlobal({ filterText: 'udp', selectedNumber: 0, autoscroll: true, topNumber: 0, host });
  runInNewContext(scriptBody(hostStateScript(host, 'n0nce')), page.global);
  const api = runInNewContext('acquireVsCodeApi()', page.global) as FakeApi;
  assert.equal((api.getState() as { filterText: string }).filterText, 'udp');
  assert.deepEqual(plain((api.getState() as { host: unknown }).host), host);
});

test('the script runs under the page nonce and a hostile name cannot close the script element', () => {
  const hostile: InspectorHostState = { spool: '/x/captures/a.pcap', container: { id: 'i', name: '</script><script>alert(1)</script>\u2028' } };
  const html = buildInspectorHtml({ cspSource: 'vscode-resource:', nonce: 'N0NCE', scriptUri: 'x.js', styleUris: [], hostState: hostile });
  assert.equal(html.match(/<script nonce="N0NCE"/g)?.length, 2, 'both scripts carry the nonce');
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'no extra script element closes or opens');
  const page = fakeWebviewGlobal(undefined);
  const inline = html.slice(html.indexOf('<script nonce="N0NCE">'), html.indexOf('</script>') + '</script>'.length);
  runInNewContext(scriptBody(inline), page.global);
  assert.deepEqual(plain(page.saved), [{ host: hostile }], 'the name arrives intact');
  assert.doesNotMatch(buildInspectorHtml({ cspSource: 'c', nonce: 'N', scriptUri: 'x.js', styleUris: [] }), /acquireVsCodeApi/, 'no script without host state');
});
