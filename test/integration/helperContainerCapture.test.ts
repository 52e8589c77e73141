/**
 * The helper-container backend end to end, as a user would run it: an
 * ordinary user whose only access is the Docker socket captures a container's
 * real traffic (busybox httpd + wget between two containers, by IP literal,
 * and HTTP over the container's own loopback). Nothing runs as root on this
 * machine for it: tcpdump runs in a helper container the engine starts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI } from '../support/cliRunner';
import { docker, DOCKER_HOST, ensureDaemon, removeContainers, removeNetwork, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { createSocketUser, ensureHelperImages, helpersGone, startProbe, traffic, type ProbeArgs, type ProbeRecord, type SocketUser } from '../support/helperContainerFixture';

describe('helper-container backend: capture as a user with only the Docker socket', { timeout: 300_000 }, () => {
  let user: SocketUser;
  let network: string;
  let server: TestContainer;
  let client: TestContainer;
  let serverIp: string;
  let clientIp: string;
  let outDir: string;

  before(() => {
    ensureDaemon();
    ensureHelperImages();
    user = createSocketUser();
    network = uniqueName('dnc-h5-net');
    const octet = 16 + Math.floor(Math.random() * 200);
    docker('network', 'create', '--subnet', `172.29.${octet}.0/24`, network);
    server = runContainer(uniqueName('dnc-h5-srv'), ['--network', network], ['httpd', '-f', '-p', '80', '-h', '/www']);
    client = runContainer(uniqueName('dnc-h5-cli'), ['--network', network], ['sleep', '3600']);
    // A server on the client's own loopback, for lo traffic with a payload.
    docker('exec', '-d', client.name, 'httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www');
    serverIp = server.ipv4(network);
    clientIp = client.ipv4(network);
    outDir = mkdtempSync(join(tmpdir(), 'dnc-h5-'));
    chmodSync(outDir, 0o777);
  });
  after(() => {
    removeContainers(client?.name ?? '', server?.name ?? '');
    if (network) removeNetwork(network);
    user?.dispose();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** One capture with traffic: wget to the server and to the loopback server, `rounds` times. */
  async function capture(args: Omit<ProbeArgs, 'container'>, rounds = 2, stop = true): Promise<{ records: ProbeRecord[]; frames: ProbeRecord[]; ended: ProbeRecord }> {
    const probe = startProbe({ container: client.name, ...args }, user.name);
    await probe.waitFor((r) => r.event === 'ready' || r.event === 'error');
    const failed = probe.records.find((r) => r.event === 'error');
    if (failed) throw new Error(`capture did not start: ${JSON.stringify(failed)}`);
    for (let i = 0; i < rounds && !probe.records.some((r) => r.event === 'ended'); i++) {
      traffic(client.name, 'wget', '-q', '-O', '-', `http://${serverIp}/`);
      traffic(client.name, 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/');
    }
    // The last frames are a few ms behind the wget's exit.
    await new Promise((r) => setTimeout(r, 500));
    if (stop) probe.stop();
    const ended = await probe.waitFor((r) => r.event === 'ended');
    await probe.exited;
    return { records: probe.records, frames: probe.frames(), ended };
  }

  it('captures eth0 and lo in both directions, the same frames the pcap file and tshark see', async () => {
    const pcap = join(outDir, 'both.pcap');
    const { records, frames, ended } = await capture({ pcap });
    assert.equal(ended.reason, 'stopped');
    assert.equal(ended.error, undefined);
    const identity = records.find((r) => r.event === 'identity');
    assert.equal(identity?.uid, Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' })), 'the capture ran as the ordinary user');
    assert.notEqual(identity?.uid, 0);
    const started = records.find((r) => r.event === 'started');
    assert.deepEqual(started?.interfaces, ['eth0', 'lo']);

    const toServer = frames.filter((f) => f.iface === 'eth0' && f.dst === serverIp && f.dstPort === 80);
    const fromServer = frames.filter((f) => f.iface === 'eth0' && f.src === serverIp && f.srcPort === 80);
    assert.ok(toServer.length > 0 && toServer.every((f) => f.direction === 'out' && f.src === clientIp), 'requests go out from the client');
    assert.ok(fromServer.length > 0 && fromServer.every((f) => f.direction === 'in' && f.dst === clientIp), 'responses come in');
    assert.ok(toServer.some((f) => String(f.payload).startsWith('GET / HTTP/1.1')), 'the request line');
    assert.ok(fromServer.some((f) => String(f.payload).includes('hello from dnc')), 'the page, from the server');
    const loopback = frames.filter((f) => f.iface === 'lo');
    assert.ok(loopback.some((f) => f.dstPort === 8080 && String(f.payload).startsWith('GET / HTTP/1.1')), 'HTTP on the loopback');
    assert.ok(loopback.every((f) => f.direction === 'out' && f.src === '127.0.0.1'), 'loopback frames shown once, as sent');

    // tcpdump's own counters, read from its stderr in the helper: every packet it captured was delivered.
    const counts = records.find((r) => r.event === 'log' && /^tcpdump captured/.test(String(r.message)));
    assert.equal(counts?.message, `tcpdump captured ${frames.length} packets (kernel dropped 0); ${frames.length} frames delivered`);
    assert.ok(records.some((r) => r.event === 'stats' && r.kernelDrops === 0), 'kernel drop counts reported');

    // The pcap the user's process wrote: tshark reads every frame and the same payloads.
    const count = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').length;
    assert.equal(count, frames.length);
    const bodies = execFileSync('tshark', ['-r', pcap, '-Y', 'http.response', '-T', 'fields', '-e', 'http.file_data'], { encoding: 'utf8' });
    assert.match(bodies, /hello from dnc|68656c6c6f2066726f6d20646e63/);
    assert.deepEqual(await helpersGone(), [], 'no helper container left');
  });

  it('egress only: every frame sent by the container, on eth0 and lo', async () => {
    const { frames, ended } = await capture({ direction: 'egress' });
    assert.equal(ended.reason, 'stopped');
    assert.ok(frames.some((f) => f.iface === 'eth0' && f.dst === serverIp), 'requests to the server');
    assert.ok(frames.some((f) => f.iface === 'lo'), 'loopback');
    assert.ok(frames.every((f) => f.direction === 'out'));
    assert.ok(!frames.some((f) => f.iface === 'eth0' && f.src === serverIp), 'nothing the server sent');
  });

  it('ingress only: every frame received by the container', async () => {
    const { frames } = await capture({ direction: 'ingress' });
    assert.ok(frames.some((f) => f.iface === 'eth0' && f.src === serverIp && String(f.payload).includes('hello from dnc')));
    assert.ok(frames.some((f) => f.iface === 'lo'), 'loopback, shown as received');
    assert.ok(frames.every((f) => f.direction === 'in'));
    assert.ok(!frames.some((f) => f.iface === 'eth0' && f.src === clientIp), 'nothing the client sent');
  });

  it('a BPF filter reaches tcpdump: only the loopback server\'s port', async () => {
    const { frames } = await capture({ filter: 'tcp port 8080' });
    assert.ok(frames.length > 0);
    assert.ok(frames.every((f) => f.iface === 'lo' && (f.srcPort === 8080 || f.dstPort === 8080)));
  });

  it('a bad filter is one clear line, and nothing is left behind', async () => {
    const probe = startProbe({ container: client.name, filter: 'tcp port eighty' }, user.name);
    const error = await probe.waitFor((r) => r.event === 'error');
    await probe.exited;
    assert.equal(error.code, 'invalid-filter');
    assert.match(String(error.message), /eighty/);
    assert.ok(!String(error.message).includes('\n'));
    assert.deepEqual(await helpersGone(), []);
  });

  it('count, size and duration limits end the capture with their reason', async () => {
    const counted = await capture({ count: 5 }, 3, false);
    assert.equal(counted.ended.reason, 'packet limit reached');
    assert.equal(counted.frames.length, 5);
    const sized = await capture({ maxBytes: 600 }, 3, false);
    assert.equal(sized.ended.reason, 'size limit reached');
    const bytes = sized.frames.reduce((s, f) => s + Number(f.length), 0);
    assert.ok(bytes >= 600 && bytes - Number(sized.frames.at(-1)?.length) < 600, `${bytes} bytes delivered`);
    const timed = await capture({ durationSeconds: 2 }, 1, false);
    assert.equal(timed.ended.reason, 'duration limit reached');
    assert.deepEqual(await helpersGone(), []);
  });

  it('a snap length cuts frames but keeps their length on the wire', async () => {
    const { frames } = await capture({ snapLength: 80 });
    assert.ok(frames.every((f) => Number(f.length) <= 80));
    assert.ok(frames.some((f) => Number(f.originalLength) > 80), 'a longer frame, cut');
  });

  it('the CLI with --via container prints the seed tool\'s JSON, run as the same user', async () => {
    const cli = spawn('runuser', ['-u', user.name, '--', process.execPath, CLI, '--via', 'container', '--helper-image', 'dnc-tcpdump-helper:latest', '--verbose',
      '-j', '--count', '4', '-f', 'tcp port 8080', '-d', DOCKER_HOST, client.name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    cli.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    for (let i = 0; i < 300 && !stderr.includes('capturing on') && cli.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /capturing on eth0, lo/);
    for (let i = 0; i < 3 && cli.exitCode === null; i++) traffic(client.name, 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/');
    assert.equal(await exited, 0, stderr);
    const records = JSON.parse(stdout) as { interface: string; src: string; dst: string; src_port: string; dst_port: string; direction: string; payload: string }[];
    assert.equal(records.length, 4);
    assert.ok(records.every((r) => r.interface === 'lo' && r.src === '127.0.0.1' && r.direction === 'out' && (r.src_port === '8080' || r.dst_port === '8080')), stdout);
    assert.deepEqual(await helpersGone(), []);
  });
});
