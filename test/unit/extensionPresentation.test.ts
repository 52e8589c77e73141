import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../../src/client/dockerClient';
import { CAPTURING_ICON, contextValueFor, descriptionFor, groupContainers, hostnamesFrom, iconFor, tooltipFor } from '../../src/extension/containers/containerPresentation';
import { defaultCaptureFileName, safeFileStem } from '../../src/extension/save/captureFileName';
import { buildInspectorHtml, createNonce } from '../../src/extension/inspector/inspectorHtml';

function container(name: string, state: ContainerSummary['state'], extra: Partial<ContainerSummary> = {}): ContainerSummary {
  return { id: `${name}0123456789abcdef`, name, image: 'busybox:latest', state, status: state === 'running' ? 'Up 2 minutes' : 'Exited (0) 1 hour ago', labels: {}, networks: [], ...extra };
}

test('a container shows image and status, an icon and a context value by state', () => {
  const web = container('web', 'running');
  assert.equal(descriptionFor(web), 'busybox:latest · Up 2 minutes');
  assert.deepEqual(iconFor('running'), { id: 'vm-running', color: 'charts.green' });
  assert.equal(iconFor('paused').id, 'debug-pause');
  assert.equal(iconFor('restarting').id, 'sync~spin');
  assert.equal(iconFor('exited').id, 'vm-outline');
  assert.equal(iconFor('dead').id, 'circle-slash');
  assert.equal(contextValueFor('running'), 'runningContainer');
  assert.equal(contextValueFor('paused'), 'pausedContainer');
  assert.equal(contextValueFor('exited'), 'stoppedContainer');
  assert.equal(contextValueFor('restarting'), 'stoppedContainer');
});

test('the tooltip lists the addresses per network', () => {
  const c = container('web', 'running', {
    networks: [
      { name: 'bridge', ipv4: '172.17.0.2', mac: '02:42:ac:11:00:02' },
      { name: 'shop_default', ipv4: '172.20.0.3', ipv6: 'fd00::3' },
    ],
  });
  const tip = tooltipFor(c);
  assert.match(tip, /^web\n/);
  assert.match(tip, /bridge: 172\.17\.0\.2 \(02:42:ac:11:00:02\)/);
  assert.match(tip, /shop_default: 172\.20\.0\.3, fd00::3/);
});

test('containers are grouped by Compose project, projects first, names sorted', () => {
  const shop = { 'com.docker.compose.project': 'shop' };
  const nodes = groupContainers([
    container('zeta', 'running'),
    container('shop-web-1', 'running', { labels: shop }),
    container('alpha', 'exited'),
    container('shop-db-1', 'running', { labels: shop }),
    container('blog-1', 'running', { labels: { 'com.docker.compose.project': 'blog' } }),
  ]);
  assert.deepEqual(
    nodes.map((n) => (n.kind === 'project' ? `${n.project}: ${n.containers.map((c) => c.name).join(',')}` : n.container.name)),
    ['blog: blog-1', 'shop: shop-db-1,shop-web-1', 'alpha', 'zeta'],
  );
});

test('hostnames map every container address to its name, running containers winning', () => {
  const map = hostnamesFrom([
    container('web', 'running', { networks: [{ name: 'bridge', ipv4: '172.17.0.2', ipv6: 'fd00::2' }] }),
    container('old', 'exited', { networks: [{ name: 'bridge', ipv4: '172.17.0.2' }, { name: 'x', ipv4: '10.1.0.9' }] }),
  ]);
  assert.deepEqual(map, { '172.17.0.2': 'web', 'fd00::2': 'web', '10.1.0.9': 'old' });
});

test('default save names are <container>-<yyyymmdd-hhmmss>.<ext>', () => {
  const when = new Date(2024, 0, 5, 9, 7, 3);
  assert.equal(defaultCaptureFileName('web', 'json', when), 'web-20240105-090703.json');
  assert.equal(defaultCaptureFileName('/my app', 'pcap', when), 'my_app-20240105-090703.pcap');
  assert.doesNotMatch(safeFileStem('../../etc/passwd'), /^\.|\//);
  assert.equal(safeFileStem(''), 'capture');
});

test('the inspector HTML has an empty body, a strict CSP and the nonce on its only script', () => {
  const nonce = createNonce((n) => new Uint8Array(n).map((_, i) => i * 7));
  assert.equal(nonce.length, 32);
  const html = buildInspectorHtml({ cspSource: 'vscode-webview://x', nonce, scriptUri: 'vscode-webview://x/dist/webview.js', styleUris: ['vscode-webview://x/dist/codicon.css', 'vscode-webview://x/media/inspector.css'] });
  assert.match(html, /<body><\/body>/);
  assert.match(html, new RegExp(`default-src 'none'; script-src 'nonce-${nonce}'; style-src vscode-webview://x; font-src vscode-webview://x; img-src vscode-webview://x data:`));
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-webview://x/dist/webview.js">`));
  assert.equal(html.match(/rel="stylesheet"/g)?.length, 2);
});

test('a container being captured is marked: "capturing" first in its description, the record icon', () => {
  const web = container('web', 'running');
  assert.equal(descriptionFor(web, true), 'capturing · busybox:latest · Up 2 minutes');
  assert.equal(descriptionFor(web, false), 'busybox:latest · Up 2 minutes');
  assert.deepEqual(CAPTURING_ICON, { id: 'record', color: 'charts.red' });
});
