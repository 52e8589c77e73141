/**
 * Issue 10 in real VS Code: a real Compose project (Debian's docker-compose,
 * services on the test busybox image, its own network, traffic by IP literal
 * only). Right-click the project's group in the Containers tree, Capture
 * Project Traffic: one inspector tab, one timeline of every container of the
 * project, with a Container column; a request from the client to the web
 * server shows once (sent by the client, received by the server), and so
 * does its response; addresses show as container names; a client scaled up
 * during the capture joins it. Two containers selected in the tree (Ctrl+click)
 * are captured together the same way. Through the helper-container backend.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { writeWebClientProject, type WebClientProject } from '../support/webClientCompose';
import { DOCKER_HOST } from './support/environment';
import { Inspector, showsAddress } from './support/inspector';
import { waitFor } from './support/processes';
import { CLIENT_NAME, SERVED_TEXT, SERVER_NAME } from './support/scene';
import { e2eSession } from './support/session';

const HELPER_IMAGE = 'dnc-tcpdump-helper:latest';

function inspect(container: string, format: string): string {
  return execFileSync('docker', ['inspect', '-f', format, container], { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' }).trim();
}

function helperContainers(): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--filter', 'label=dev.dockernetworkcapture.helper', '--format', '{{.Names}}'], { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('Capture Project Traffic: a Compose project in one tab, each packet once', { timeout: 300_000 }, () => {
  const project = `dncmc${process.pid % 100000}`;
  const octet = 16 + Math.floor(Math.random() * 200);
  const webIp = `172.31.${octet}.10`;
  const web = `${project}_web_1`;
  const client = `${project}_client_1`;
  const client2 = `${project}_client_2`;
  let app: WebClientProject | undefined;
  const compose = (...args: string[]): string => {
    if (!app) throw new Error('the project was not written');
    return app.compose(...args);
  };

  before(() => {
    // Each request carries its number (`n=7&`): the test can tell every request apart. Bounded.
    const loop = `i=0; while [ $i -lt 600 ]; do i=$((i+1)); wget -q -O /dev/null "http://${webIp}/?n=$i&from=$(hostname)"; sleep 0.3; done`;
    app = writeWebClientProject({ project, subnet: `172.31.${octet}`, clientLoop: loop, dns: '127.0.0.1' });
    compose('up', '-d');
  });
  after(() => {
    app?.dispose();
  });

  const session = e2eSession(__filename, { settings: { 'dockerNetworkCapture.captureBackend': 'helperContainer', 'dockerNetworkCapture.helperImage': HELPER_IMAGE } });

  it('right-click the project group, Capture Project Traffic: rows of several containers, each request and response once', async () => {
    const h = session.harness();
    await h.workbench.openActivity('Network Capture');
    const group = h.workbench.treeRow(project);
    await group.waitFor({ state: 'visible', timeout: 30_000 });
    await h.workbench.contextMenu(group, 'Capture Project Traffic');
    const inspector = await Inspector.active(h.workbench, 60_000);
    await waitFor('the inspector to capture both containers', async () => {
      const line = await inspector.statusLine();
      return line.includes(client) && line.includes(web) && /capturing/i.test(line);
    }, 90_000);
    assert.ok((await h.workbench.tabTitles()).some((t) => t.includes(`project ${project}`)), 'one tab, named after the project');

    // A request the server received before the client's own capture ran is the server's alone; once both
    // run, a request is one row naming both ends.
    const request = await inspector.waitForRow('a request from the client to the web server, seen by both', (r) => /GET \/\?n=\d+&from=/.test(r.text.Info ?? '') && r.text.Container === `${client} → ${web}`, 60_000);
    assert.ok((await inspector.headers()).includes('Container'), 'the list has a Container column');
    assert.equal(request.text.Dir, 'OUT');
    assert.equal(request.text.Interface, 'eth0');
    assert.equal(request.text.Source, client, 'the source address shows as the container name');
    assert.equal(request.text.Destination, web);
    const response = await inspector.waitForRow('the server\'s response, seen by both', (r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? '') && r.text.Container === `${web} → ${client}`, 30_000);
    assert.equal(response.text.Dir, 'OUT', 'the response row is the copy the server sent');
    await h.screenshot('project-capture-rows');

    // The project is followed: a client that starts during the capture joins it.
    compose('up', '-d', '--no-recreate', '--scale', 'client=2');
    await waitFor('the scaled-up client to join the capture', async () => (await inspector.statusLine()).includes(client2), 60_000);
    await inspector.typeFilter(`info contains "from=" && info contains "GET"`);
    await inspector.waitForRow('a request from the second client', (r) => r.text.Container === `${client2} → ${web}`, 60_000);
    await h.screenshot('project-capture-scaled-up');

    await inspector.click('stop-button');
    await waitFor('the inspector to say the capture ended', async () => /ended|stopped/i.test(await inspector.statusLine()), 30_000);
    await waitFor('the helper containers to be removed', () => helperContainers().length === 0, 30_000);

    // Each request once. The first client's requests carry its hostname: request n of it is one row,
    // not two (its copy leaving the client and its copy arriving at the server).
    const shown = async (filter: string): Promise<number> => {
      await inspector.typeFilter(filter);
      assert.equal(await inspector.filterError(), '', `the filter ${filter} is valid`);
      // The counters are drawn on the next frame: read until two readings agree.
      let last = '';
      return waitFor(`the count of ${filter}`, async () => {
        const now = await inspector.counter('shown');
        const settled = now !== '' && now === last;
        last = now;
        return settled ? Number(now.replace(/\D/g, '')) : undefined;
      }, 10_000, 400);
    };
    const host1 = inspect(client, '{{.Config.Hostname}}');
    const ip1 = inspect(client, '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
    const requests = await shown(`info contains "&from=${host1} "`);
    assert.ok(requests >= 3, `several requests of ${client} were captured (${requests})`);
    const numbers = (await inspector.rows()).map((r) => /GET \/\?n=(\d+)&from=/.exec(r.text.Info ?? '')?.[1]).filter((n): n is string => n !== undefined);
    const middle = numbers[Math.floor(numbers.length / 2)];
    assert.ok(middle, 'its requests are listed');
    assert.equal(await shown(`info contains "?n=${middle}&from=${host1} "`), 1, `request n=${middle} of ${client} is one row`);
    const responses = await shown(`info contains "200 OK" && ip.dst == ${ip1}`);
    // A copy per end would double the responses; the capture's start and stop may each cut one exchange in half.
    assert.ok(Math.abs(responses - requests) <= 2, `each response once: ${responses} responses to ${requests} requests of ${client}`);
    await h.screenshot('project-capture-ended');
  });

  it('two containers selected in the tree, Capture Traffic: one tab, the exchange between them once', async () => {
    const h = session.harness();
    // The project's tab holds packets never saved: it asks first.
    await h.workbench.closeAllEditorsDiscarding();
    const { serverIp, clientIp } = session.scene();
    const serverRow = h.workbench.treeRow(SERVER_NAME);
    const clientRow = h.workbench.treeRow(CLIENT_NAME);
    await serverRow.first().click();
    await clientRow.first().click({ modifiers: ['Control'] });
    await h.workbench.contextMenu(clientRow, 'Capture Traffic');
    const inspector = await Inspector.active(h.workbench, 60_000);
    await waitFor('the inspector to capture both containers', async () => {
      const line = await inspector.statusLine();
      return line.includes(CLIENT_NAME) && line.includes(SERVER_NAME) && /capturing/i.test(line);
    }, 90_000);
    assert.ok((await h.workbench.tabTitles()).some((t) => t.includes(`${SERVER_NAME}, ${CLIENT_NAME}`) || t.includes(`${CLIENT_NAME}, ${SERVER_NAME}`)), 'one tab for both');
    // Both captures run now: the request and its response are each one row naming both ends.
    assert.equal(session.scene().fetchFromServer().trim(), SERVED_TEXT);
    const request = await inspector.waitForRow('the GET, seen by both', (r) => r.text.Info?.includes('GET / HTTP/1.1') === true, 30_000);
    assert.equal(request.text.Container, `${CLIENT_NAME} → ${SERVER_NAME}`);
    assert.ok(showsAddress(request, 'Source', clientIp) && showsAddress(request, 'Destination', serverIp));
    const response = await inspector.waitForRow('the response, seen by both', (r) => /HTTP\/1\.[01] 200/.test(r.text.Info ?? ''), 30_000);
    assert.equal(response.text.Container, `${SERVER_NAME} → ${CLIENT_NAME}`);
    await inspector.typeFilter('info contains "GET / HTTP/1.1"');
    await waitFor('the filter to leave the one request', async () => (await inspector.counter('shown')) === '1 shown', 10_000);
    await h.screenshot('selection-capture');
    await inspector.click('stop-button');
    await waitFor('the helper containers to be removed', () => helperContainers().length === 0, 30_000);
  });
});
