/**
 * Streams on real traffic: HTTP between two of the project's containers, with packets
 * lost on the server's side (a token bucket with a queue too short for TCP's bursts, in
 * the server's own network namespace, removed with the container; this kernel has no netem), captured with tcpdump in the client's namespace. On that pcap,
 * stream numbers, conversations, Follow Stream, retransmissions and HTTP/DNS pairing
 * must agree with tshark, and Follow Stream must give back the very file served.
 * DNC_STREAMS_FIXTURE=path keeps the capture (how test/fixtures/streams/ was made).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { followStream } from '../../src/core/stream/followStream';
import { httpExchanges } from '../../src/core/stream/httpExchanges';
import { checkAgainstTshark, loadPcap } from '../support/streamOracle';
import { docker } from '../support/dockerFixture';
import { createScene, type TestScene } from '../support/testNetwork';

/** The served file: numbered lines, so a byte out of place shows. */
const LINES = 40_000;
const BIG = Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join('');

async function captureWhile(pid: number, file: string, traffic: () => void): Promise<void> {
  const tcpdump = spawn('nsenter', ['-t', String(pid), '-n', 'tcpdump', '-i', 'eth0', '-U', '--immediate-mode', '-s', '0', '-w', file, 'tcp port 80 or udp port 53'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    tcpdump.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) resolve();
    });
    tcpdump.once('exit', (code) => reject(new Error(`tcpdump exited ${String(code)}: ${stderr}`)));
  });
  try {
    traffic();
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    const exited = new Promise((r) => tcpdump.once('exit', r));
    tcpdump.kill('SIGINT');
    await exited;
  }
}

describe('streams of a real capture with packet loss, against tshark', { timeout: 240_000 }, () => {
  let scene: TestScene;
  let dir: string;
  let pcap: string;

  before(async () => {
    scene = await createScene('streams');
    dir = mkdtempSync(join(tmpdir(), 'dnc-streams-'));
    pcap = join(dir, 'http-loss.pcap');
    // Test constants only reach this shell; numbered lines make a ~230 KB file.
    docker('exec', scene.server.name, 'sh', '-c', `seq 1 ${LINES} > /www/big.txt`);
    // Drops on the server's egress: the client's capture sees the server retransmit.
    const serverPid = scene.server.pid();
    await new Promise<void>((resolve, reject) => {
      const tc = spawn('nsenter', ['-t', String(serverPid), '-n', 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', '4mbit', 'burst', '16kb', 'limit', '6kb'], { stdio: 'inherit' });
      tc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tc exited ${String(code)}`))));
    });
    await captureWhile(scene.client.pid(), pcap, () => {
      for (let i = 0; i < 3; i++) {
        assert.equal(scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/big.txt`).length, BIG.length - 1);
      }
      assert.equal(scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`), 'hello from dnc');
      assert.throws(() => scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/missing`));
      scene.client.exec('nslookup', 'web.test', scene.serverIpv4);
    });
    if (process.env.DNC_STREAMS_FIXTURE) copyFileSync(pcap, process.env.DNC_STREAMS_FIXTURE);
  });
  after(() => {
    scene?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stream numbers, conversations, Follow Stream, retransmissions and HTTP/DNS pairs are tshark\'s', () => {
    checkAgainstTshark(pcap);
  });

  it('the capture has retransmissions, and Follow Stream still gives back the file served, request and response together', () => {
    const { store, table } = loadPcap(pcap);
    let retransmissions = 0;
    for (let row = 0; row < store.size; row++) if (table.isRetransmission(store.numberOf(row))) retransmissions++;
    assert.ok(retransmissions > 0, 'the short queue made the server retransmit');
    const exchanges = httpExchanges(store, table);
    assert.deepEqual(exchanges.map((e) => `${e.method} ${e.uri} ${e.status}`), [
      'GET /big.txt 200', 'GET /big.txt 200', 'GET /big.txt 200', 'GET / 200', 'GET /missing 404',
    ]);
    for (const exchange of exchanges.slice(0, 3)) {
      const followed = followStream(store, table, 'tcp', exchange.stream);
      assert.ok(followed);
      const request = new TextDecoder().decode(followed.sides[0].all());
      const response = new TextDecoder().decode(followed.sides[1].all());
      assert.match(request, /^GET \/big\.txt HTTP\/1\.1\r\n/);
      assert.ok(response.startsWith('HTTP/1.1 200 OK') && response.endsWith(`\r\n\r\n${BIG}`), 'the response is the file, each byte once and in order');
      assert.deepEqual(followed.missing, [0, 0]);
      assert.equal(exchange.response?.bodySize, BIG.length);
    }
  });
});
