/**
 * Several containers through the host's root helper (`sudo docker-network-capture
 * --via host web client`): one helper, one timeline, each packet between the
 * two captured containers once, naming both ends; a packet to a container
 * nobody captures stays, with no claim about its arrival; a container that
 * stops leaves and the other is still captured. Checked against tshark
 * reading the `-w x.pcapng` the same run wrote, which keeps every copy: each
 * request is in the file twice (client/eth0 and server/eth0) and in the
 * output once, and every frame of the file is either a row or the arrival
 * half of a paired row.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli, startCli } from '../support/cliRunner';
import { run } from '../support/runCommand';
import { docker, removeContainers, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { createScene, type TestScene } from '../support/testNetwork';
import { payloadText as text, until, type TimelineRow as Row } from '../support/timelineRecords';

describe('--via host with several containers: one helper, one timeline, each packet once', { timeout: 180_000 }, () => {
  let scene: TestScene;
  let outsider: TestContainer;
  let dir: string;
  before(async () => {
    scene = await createScene('hmulti');
    // On the same network, never captured.
    outsider = runContainer(uniqueName('dnc-hmulti-out'), ['--network', scene.network], ['httpd', '-f', '-p', '80', '-h', '/www']);
    dir = mkdtempSync(join(tmpdir(), 'dnc-hmulti-'));
  });
  after(() => {
    if (outsider) removeContainers(outsider.name);
    scene?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pairs each request and response, keeps packets to an outsider, goes on when one container stops; tshark on -w agrees', async () => {
    const pcapng = join(dir, 'two.pcapng');
    const client = scene.client.name;
    const server = scene.server.name;
    const outsiderIp = outsider.ipv4(scene.network);
    const cli = startCli(['--via', 'host', '--ndjson', '-w', pcapng, server, client]);
    const rows = (): Row[] => cli.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
    const requests = 20;
    try {
      await cli.listening;
      // Bounded, by IP literal, between the test's own containers only.
      scene.client.exec('sh', '-c', `i=0; while [ $i -lt ${requests} ]; do i=$((i+1)); wget -q -O /dev/null "http://${scene.serverIpv4}/?n=$i"; done; wget -q -O /dev/null "http://${outsiderIp}/?outside=1"`);
      await until('every request', () => rows().filter((r) => text(r.payload).startsWith('GET /?n=')).length >= requests, 20_000);
      docker('stop', '-t', '1', client);
      await until('the client to leave', () => cli.stderr().includes(`${client} left the capture: container stopped`), 20_000);
      // The server is still captured.
      outsider.exec('wget', '-q', '-O', '/dev/null', `http://${scene.serverIpv4}/?last=1`);
      await until('the last request', () => rows().some((r) => text(r.payload).startsWith('GET /?last=1 ')), 20_000);
    } finally {
      const code = await cli.interrupt();
      assert.equal(code, 0, cli.stderr());
    }
    assert.match(cli.stderr(), new RegExp(`capturing on ${server}/eth0, ${server}/lo, ${client}/eth0, ${client}/eth1, ${client}/lo \\(helper PID`));

    const all = rows();
    const gets = all.filter((r) => text(r.payload).startsWith('GET /?n='));
    const uris = gets.map((r) => text(r.payload).split(' ')[1]);
    assert.deepEqual(uris.sort(), Array.from({ length: requests }, (_, k) => `/?n=${k + 1}`).sort(), 'each request exactly once');
    for (const r of gets) {
      assert.deepEqual([r.container, r.interface, r.direction, r.sent_by, r.received_by, r.delivery, r.received_interface], [client, 'eth0', 'out', client, server, 'received', 'eth0'], JSON.stringify(r));
    }
    const responses = all.filter((r) => r.src === scene.serverIpv4 && text(r.payload).startsWith('HTTP/1.'));
    const connections = responses.map((r) => `${r.dst}:${r.dst_port}`);
    assert.equal(new Set(connections).size, connections.length, 'a response appears twice');
    const answered = responses.filter((r) => gets.some((g) => `${g.src}:${g.src_port}` === `${r.dst}:${r.dst_port}`));
    assert.equal(answered.length, requests, 'one response per request');
    for (const r of answered) assert.deepEqual([r.container, r.sent_by, r.received_by, r.delivery], [server, server, client, 'received']);

    // To the container nobody captures: the client's copy, no claim about its arrival.
    const toOutsider = all.filter((r) => r.dst === outsiderIp && r.dst_port === '80');
    assert.ok(toOutsider.length > 0, 'packets to the outsider are shown');
    for (const r of toOutsider) assert.deepEqual([r.container, r.direction, r.delivery], [client, 'out', undefined], JSON.stringify(r));
    // After the client left: from the outsider, seen arriving at the server only.
    const last = all.filter((r) => text(r.payload).startsWith('GET /?last=1 '));
    assert.deepEqual(last.map((r) => [r.container, r.direction, r.delivery]), [[server, 'in', undefined]]);

    // tshark on the file the same run wrote: every copy is there, on interfaces named container/interface.
    const tshark = (args: string[]): string[] =>
      execFileSync('tshark', ['-r', pcapng, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 }).trim().split('\n').filter(Boolean);
    // By payload bytes: tshark takes the second copy of a segment for a retransmission and does not dissect it as HTTP.
    const seen = tshark(['-Y', 'tcp.len > 0', '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'tcp.payload']).map((l) => {
      const [name, payload] = l.split('|');
      return { name, request: /^GET (\/\?n=\d+) /.exec(text((payload ?? '').replace(/:/g, '')))?.[1] };
    });
    for (let n = 1; n <= requests; n++) {
      const copies = seen.filter((f) => f.request === `/?n=${n}`).map((f) => f.name).sort();
      assert.deepEqual(copies, [`${client}/eth0`, `${server}/eth0`].sort(), `request ${n} in the file`);
    }
    const frames = tshark(['-T', 'fields', '-e', 'frame.number']).length;
    const paired = all.filter((r) => r.delivery === 'received').length;
    assert.equal(frames, all.length + paired, `every frame of the file is a row or the arrival of a paired row: ${frames} frames, ${all.length} rows, ${paired} paired`);
  });
  it('text output without -w: rows prefixed with the container or both ends; --count counts rows and ends the capture', async () => {
    const client = scene.client.name;
    const server = scene.server.name;
    const names = `(${server}|${client})`;
    const row = new RegExp(`^\\[${names}( -> ${names}(, not seen arriving)?)?\\] `, 'gm');
    // The client was stopped by the test above; it runs again.
    docker('start', client);
    const cli = startCli(['--via', 'host', '--count', '40', server, client]);
    await cli.listening;
    for (let n = 0; n < 10 && cli.child.exitCode === null; n++) scene.client.exec('wget', '-q', '-O', '/dev/null', `http://${scene.serverIpv4}/?t=${n}`);
    assert.equal(await cli.exit, 0, cli.stderr());
    assert.equal(cli.stdout().match(row)?.length, 40, cli.stdout().slice(0, 2000));
    assert.match(cli.stdout(), new RegExp(`^\\[${client} -> ${server}\\] `, 'm'));
  });
});

describe('--via host with several containers: refusals a user meets', () => {
  it('without root: the line to run it with, every container quoted for the shell, or --via container', async () => {
    const r = await run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, '--via', 'host', 'web-1', 'db $(x)'], { PATH: process.env.PATH ?? '' }, 20_000);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `docker-network-capture: error: capturing through the host helper needs root: run it as  sudo ${process.execPath} ${realpathSync(CLI)} --via host web-1 'db $(x)'  or use --via container\n`);
  });

  it('--tls-keylog takes one container: a one-line error before anything starts', async () => {
    const keyLog = await runCli(['--via', 'host', '--tls-keylog', '/nonexistent/keys.log', 'web-1', 'db-1']);
    assert.deepEqual([keyLog.code, keyLog.stderr], [1, 'docker-network-capture: error: --tls-keylog takes one container\n']);
  });
});
