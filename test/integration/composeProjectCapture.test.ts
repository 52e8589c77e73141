/**
 * A real Compose project (Debian's docker-compose, services on the test
 * busybox image, its own network, traffic by IP literal only) captured with
 * `--project` through helper containers: one merged timeline in which each
 * HTTP request and response appears exactly once, naming the sending and the
 * receiving container; a client scaled up during the capture joins it; clients
 * that stop leave without ending it; a packet to a container outside the
 * project stays, with no delivery claim; `-w x.pcapng` holds every copy,
 * which tshark reads with the container/interface names and comments.
 * The same project through the host's root helper (`--via host`): the
 * containers running at the start in one helper, each request once; one that
 * starts later is not captured there (the helper has given up root), and
 * the CLI says so.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli, startCli } from '../support/cliRunner';
import { DOCKER_HOST, ensureDaemon, removeContainers, runContainer } from '../support/dockerFixture';
import { ensureHelperImages, helpersGone, HELPER_IMAGE } from '../support/helperContainerFixture';
import { writeWebClientProject, type WebClientProject } from '../support/webClientCompose';
import { payloadText as text, until, type TimelineRow as Row } from '../support/timelineRecords';

function composeInstalled(): false | string {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    if (process.env.CI === 'true') throw new Error('docker-compose is not installed (apt-get install -y docker-compose)');
    return 'docker-compose is not installed (apt-get install -y docker-compose)';
  }
}

describe('--project: a Compose project in one timeline, each packet once', { timeout: 180_000, skip: composeInstalled() }, () => {
  const project = `dnch5p${process.pid % 100000}`;
  const octet = 16 + Math.floor(Math.random() * 200);
  const web = `172.30.${octet}.10`;
  const outsiderIp = `172.30.${octet}.20`;
  const outsider = `${project}-outsider`;
  let app: WebClientProject;
  let dir: string;
  const compose = (...args: string[]): string => app.compose(...args);

  before(() => {
    ensureDaemon();
    ensureHelperImages();
    dir = mkdtempSync(join(tmpdir(), 'dnc-h5-compose-'));
    // Each request names its client and its number: the test can tell every request apart.
    const loop = `i=0; while [ $i -lt 500 ]; do i=$((i+1)); wget -q -O /dev/null "http://${web}/?from=$(hostname)&n=$i"; if [ $((i % 5)) -eq 0 ]; then wget -q -O /dev/null "http://${outsiderIp}/?outside=$i"; fi; sleep 0.2; done`;
    app = writeWebClientProject({ project, subnet: `172.30.${octet}`, clientLoop: loop });
    compose('up', '-d', 'web');
    // Not part of the project: a server on the project's network that nobody captures.
    runContainer(outsider, ['--network', `${project}_net`, '--ip', outsiderIp], ['httpd', '-f', '-p', '80', '-h', '/www']);
    compose('up', '-d', 'client');
  });
  after(() => {
    removeContainers(outsider);
    app?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('captures the project, follows a scale-up and stops, shows each request and response once', async () => {
    const pcapng = join(dir, 'project.pcapng');
    const child = spawn(process.execPath, [CLI, '--verbose', '--via', 'container', '--helper-image', HELPER_IMAGE, '--project', project, '--ndjson', '-w', pcapng], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_HOST },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let exited = false;
    void exit.then(() => (exited = true));
    const rows = (): Row[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
    const web1 = `${project}_web_1`;
    const client1 = `${project}_client_1`;
    const client2 = `${project}_client_2`;
    try {
      await until('the capture to start', () => exited || /: capturing .* and project .* that start/.test(err), 60_000);
      assert.equal(exited, false, err);
      await until('requests from client 1', () => rows().filter((r) => r.sent_by === client1).length > 10, 30_000);

      compose('up', '-d', '--no-recreate', '--scale', 'client=2', 'client');
      await until('client 2 to join', () => err.includes(`${client2} started: it joins the capture`), 30_000);
      await until('requests sent by client 2, paired', () => rows().some((r) => r.sent_by === client2 && r.delivery === 'received'), 30_000);

      compose('stop', '-t', '1', 'client');
      await until('both clients to leave', () => err.includes(`${client1} left the capture`) && err.includes(`${client2} left the capture`), 30_000);
      assert.equal(exited, false, 'the capture goes on without the clients');
      // The web server is still captured: a request from outside the project still shows.
      execFileSync('docker', ['exec', outsider, 'wget', '-q', '-O', '/dev/null', `http://${web}/?last=1`], { env: { ...process.env, DOCKER_HOST }, timeout: 20_000 });
      await until('the last request', () => rows().some((r) => text(r.payload).startsWith('GET /?last=1 ')), 10_000);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exit, 0, err);
    assert.deepEqual(await helpersGone(), [], 'every helper container is gone');

    const all = rows();
    if (process.env.DNC_KEEP_OUTPUT) writeFileSync(process.env.DNC_KEEP_OUTPUT, out + '\n' + err);
    const requests = all.filter((r) => text(r.payload).startsWith('GET /?from='));
    assert.ok(requests.length > 20, `requests seen: ${requests.length}`);
    // Each request once: no URL twice.
    const urls = requests.map((r) => text(r.payload).split('\r\n')[0]);
    assert.equal(new Set(urls).size, urls.length, 'a request appears twice');
    // Sent while both ends were captured: one row, the client's copy, naming both ends.
    const paired = requests.filter((r) => r.delivery === 'received');
    // The others were sent while one end's capture was not running yet (client 2 sends
    // before it joins; the first captures start one after the other): the copy of the
    // end that was captured, with no claim about the other. Never "not seen arriving":
    // nothing is lost between two containers on one bridge.
    for (const r of requests.filter((x) => x.delivery !== 'received')) {
      const shape = [r.container === web1 ? 'web' : 'client', r.direction, r.delivery, r.sent_by];
      assert.ok(JSON.stringify(shape) === JSON.stringify(['web', 'in', undefined, undefined]) || JSON.stringify(shape) === JSON.stringify(['client', 'out', undefined, undefined]), JSON.stringify(r));
    }
    const unpaired = requests.filter((r) => r.delivery !== 'received').map((r) => r.src);
    assert.ok(unpaired.length <= requests.length / 4, `paired ${paired.length} of ${requests.length}; unpaired from ${unpaired.join(', ')}`);
    for (const r of paired) {
      assert.equal(r.container, r.sent_by);
      assert.equal(r.direction, 'out');
      assert.equal(r.received_by, web1);
      assert.equal(r.received_interface, 'eth0');
      assert.ok(r.sent_by === client1 || r.sent_by === client2);
    }
    assert.ok(paired.some((r) => r.sent_by === client2), 'the scaled-up client joined');

    // Each response once, per connection.
    const responses = all.filter((r) => r.src === web && text(r.payload).startsWith('HTTP/1.'));
    const connections = responses.map((r) => `${r.dst}:${r.dst_port}`);
    assert.equal(new Set(connections).size, connections.length, 'a response appears twice');
    const requestConnections = new Set(paired.map((r) => `${r.src}:${r.src_port}`));
    const answered = responses.filter((r) => requestConnections.has(`${r.dst}:${r.dst_port}`));
    assert.ok(answered.length >= paired.length - 2, `responses ${answered.length} for ${paired.length} paired requests`);
    for (const r of answered.filter((x) => x.delivery)) assert.equal(r.sent_by, web1);

    // The request from outside the project: seen arriving at web only, no claim about its sender.
    const last = all.filter((r) => text(r.payload).startsWith('GET /?last=1 '));
    assert.equal(last.length, 1);
    assert.equal(last[0]?.container, web1);
    assert.equal(last[0]?.delivery, undefined);

    // Packets to the container nobody captures stay, from the client's copy, with no delivery claim.
    const toOutsider = all.filter((r) => r.dst === outsiderIp && r.dst_port === '80');
    assert.ok(toOutsider.length > 0, 'packets to the outsider are shown');
    for (const r of toOutsider) {
      assert.equal(r.direction, 'out');
      assert.equal(r.delivery, undefined);
      assert.ok(r.container === client1 || r.container === client2);
    }

    // Nothing is lost in the file: it keeps both copies, on interfaces named container/interface.
    const fields = execFileSync('tshark', ['-r', pcapng, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.comment', '-e', 'frame.packet_flags_direction'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 })
      .trim()
      .split('\n');
    const names = new Set(fields.map((l) => l.split('|')[0]));
    for (const c of [web1, client1, client2]) assert.ok(names.has(`${c}/eth0`), `interface ${c}/eth0 in ${[...names].join(', ')}`);
    for (const l of fields) {
      const [name, comment, flags] = l.split('|');
      assert.equal(comment, `container ${name?.split('/')[0]}`);
      assert.ok(flags === '0x00000001' || flags === '0x00000002', l);
    }
    assert.ok(fields.length >= all.length + paired.length, `the file holds both copies: ${fields.length} frames for ${all.length} rows`);
  });
  it('through the host helper (--via host): the running containers in one helper, each request once; a container that starts later is not captured, and says so', async () => {
    // Its own starting point, whatever the test before left: one web server, one client.
    compose('rm', '-f', '-s', 'client');
    compose('up', '-d', 'client');
    const pcapng = join(dir, 'host.pcapng');
    const cli = startCli(['--via', 'host', '--project', project, '--ndjson', '-w', pcapng]);
    const rows = (): Row[] => cli.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
    const web1 = `${project}_web_1`;
    const client1 = `${project}_client_1`;
    const client2 = `${project}_client_2`;
    const ipOf = (name: string): string => execFileSync('docker', ['inspect', '-f', `{{(index .NetworkSettings.Networks "${project}_net").IPAddress}}`, name], { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' }).trim();
    let client2Ip = '';
    try {
      await cli.listening;
      assert.match(cli.stderr(), new RegExp(`note: through the host helper, project ${project}'s containers that start after this point are not captured \\(use --via container`));
      await until('requests from client 1, paired', () => rows().filter((r) => r.sent_by === client1 && r.delivery === 'received').length > 10, 30_000);
      compose('up', '-d', '--no-recreate', '--scale', 'client=2', 'client');
      client2Ip = ipOf(client2);
      await until('requests from client 2, seen arriving at web', () => rows().some((r) => r.src === client2Ip && text(r.payload).startsWith('GET /?from=')), 30_000);
      // The clients leave before the end, so no request is cut in half by the stop.
      compose('stop', '-t', '1', 'client');
      await until('client 1 to leave', () => cli.stderr().includes(`${client1} left the capture: container stopped`), 30_000);
    } finally {
      const code = await cli.interrupt();
      assert.equal(code, 0, cli.stderr());
    }
    assert.doesNotMatch(cli.stderr(), /joins the capture/);

    const all = rows();
    const requests = all.filter((r) => text(r.payload).startsWith('GET /?from='));
    const urls = requests.map((r) => text(r.payload).split('\r\n')[0]);
    assert.equal(new Set(urls).size, urls.length, 'a request appears twice');
    // Both ends captured by one helper: each request of client 1 is one paired row once both
    // tcpdumps listen. The helper opens the containers' interfaces one after the other, so the
    // first requests (sent while client 1's tcpdump listened and web's was still opening; two at
    // 0.3 s apart on a loaded machine) are rightly "sent, not seen arriving"; none after that.
    const fromClient1 = requests.filter((x) => x.src !== client2Ip);
    assert.ok(fromClient1.length > 10);
    const firstPaired = fromClient1.findIndex((r) => r.delivery === 'received');
    assert.ok(firstPaired >= 0);
    const unpairedLater = fromClient1.slice(firstPaired).filter((r) => r.delivery !== 'received');
    assert.deepEqual(unpairedLater, [], 'a request of client 1 sent after both ends were captured is not paired');
    assert.ok(fromClient1.length - firstPaired > 10, 'most of client 1\'s requests are paired');
    for (const r of fromClient1.filter((x) => x.delivery === 'received')) {
      assert.deepEqual([r.container, r.direction, r.sent_by, r.received_by, r.received_interface], [client1, 'out', client1, web1, 'eth0'], JSON.stringify(r));
    }
    // Client 2 started after the capture: only web's copy, no claim about the sender.
    const fromClient2 = all.filter((r) => r.src === client2Ip || r.dst === client2Ip);
    assert.ok(fromClient2.length > 0);
    for (const r of fromClient2) assert.deepEqual([r.container, r.delivery], [web1, undefined], JSON.stringify(r));

    // The file: interfaces of the two containers captured at the start, no others; every frame a row or a paired arrival.
    const names = execFileSync('tshark', ['-r', pcapng, '-T', 'fields', '-e', 'frame.interface_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 }).trim().split('\n');
    assert.deepEqual([...new Set(names)].sort(), [`${client1}/eth0`, `${web1}/eth0`].sort());
    assert.equal(names.length, all.length + all.filter((r) => r.delivery === 'received').length);
  });

  it('a project with no running container: one line naming the label, on both paths, and no helper left', async () => {
    for (const via of ['container', 'host']) {
      const r = await runCli(['--project', `${project}-none`, '--via', via, '--duration', '2']);
      const lines = r.stderr.trim().split('\n');
      assert.notEqual(r.code, 0, `--via ${via} exits with an error`);
      assert.equal(lines.length, 1, `--via ${via}: one line, got ${r.stderr}`);
      assert.match(lines[0] ?? '', /no running container of Compose project "dnch5p\d+-none" \(label com\.docker\.compose\.project\)/);
    }
    assert.deepEqual(await helpersGone(), [], 'no helper container left');
  });
});
