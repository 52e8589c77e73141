/**
 * The CLI against real containers on a real Docker engine with real tcpdump:
 * what a user running `sudo docker-network-capture CONTAINER` sees.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCli, sleep } from '../support/cliRunner';
import { docker } from '../support/dockerFixture';
import type { SeedJsonRecord } from '../../src/core/seedFormat';
import { createScene, type TestScene } from '../support/testNetwork';

/** What -j and --ndjson print, parsed back. */
type SeedRecord = SeedJsonRecord;

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');

/** Captures on the client with `args` while `traffic` runs, then Ctrl-C; returns the -j JSON. */
async function captureJson(scene: TestScene, args: string[], traffic: () => void): Promise<SeedRecord[]> {
  const cli = startCli(['-j', ...args, scene.client.name]);
  await cli.listening;
  traffic();
  await sleep(300);
  const code = await cli.interrupt();
  assert.equal(code, 0, cli.stderr());
  return JSON.parse(cli.stdout()) as SeedRecord[];
}

describe('CLI capture on a real container', { timeout: 180_000 }, () => {
  let scene: TestScene;
  before(async () => {
    scene = await createScene('cli');
  });
  after(() => scene?.dispose());

  it('shows an HTTP exchange over TCP with addresses, ports, directions and payload (-j)', async () => {
    const records = await captureJson(scene, [], () => {
      assert.equal(scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`), 'hello from dnc');
    });
    const request = records.find((r) => r.payload.includes(hex('GET / HTTP/1.1')));
    assert.ok(request, `no GET among ${records.length} packets`);
    assert.equal(request.src, scene.clientIpv4);
    assert.equal(request.dst, scene.serverIpv4);
    assert.equal(request.dst_port, '80');
    assert.match(request.src_port, /^\d+$/);
    assert.equal(request.direction, 'out');
    assert.equal(request.interface, 'eth0');
    assert.equal(request.protocol, 'HTTP');
    assert.match(request.info, /GET \/ HTTP\/1\.1/);
    const response = records.find((r) => r.payload.includes(hex('hello from dnc')));
    assert.ok(response, 'no response body captured');
    assert.equal(response.src, scene.serverIpv4);
    assert.equal(response.src_port, '80');
    assert.equal(response.dst_port, request.src_port);
    assert.equal(response.direction, 'in');
    // The handshake is there too, without payload.
    assert.ok(records.some((r) => r.payload === '' && r.dst_port === '80' && /SYN/.test(r.info)));
  });

  it("prints the seed's text format: OUT:/IN: with the remote endpoint and a boxed hexdump", async () => {
    const cli = startCli([scene.client.name]);
    await cli.listening;
    scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    await sleep(300);
    assert.equal(await cli.interrupt(), 0, cli.stderr());
    const out = cli.stdout();
    assert.match(out, new RegExp(`^OUT: ${scene.serverIpv4.replace(/\./g, '\\.')}:80$`, 'm'));
    assert.match(out, new RegExp(`^IN:  ${scene.serverIpv4.replace(/\./g, '\\.')}:80$`, 'm'));
    assert.match(out, /^ {2}00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15$/m);
    assert.match(out, /^\+-{49}\+-{16}\+$/m);
    assert.match(out, /^\| 47 45 54 20 2F 20 48 54 54 50 2F 31 2E 31 0D 0A \|GET \/ HTTP\/1\.1\.\.\|$/m);
  });

  it('shows a UDP request and its reply (DNS to a server in a test container)', async () => {
    const records = await captureJson(scene, ['-f', 'udp port 53'], () => {
      const answer = scene.client.exec('nslookup', '-type=a', 'probe.test', scene.serverIpv4);
      assert.match(answer, /192\.0\.2\.53/);
    });
    const query = records.find((r) => r.direction === 'out' && r.dst_port === '53');
    const reply = records.find((r) => r.direction === 'in' && r.src_port === '53');
    assert.ok(query && reply, JSON.stringify(records));
    assert.equal(query.dst, scene.serverIpv4);
    assert.equal(query.protocol, 'DNS');
    assert.match(query.info, /probe\.test/);
    assert.match(reply.info, /192\.0\.2\.53/);
    assert.equal(reply.dst_port, query.src_port);
    // The filter kept everything else out.
    assert.ok(records.every((r) => r.src_port === '53' || r.dst_port === '53'));
  });

  it('shows ICMP echo without ports, and the text line has no :port', async () => {
    const cli = startCli(['-f', 'icmp', scene.client.name]);
    await cli.listening;
    scene.client.exec('ping', '-c', '2', '-W', '2', scene.serverIpv4);
    await sleep(300);
    assert.equal(await cli.interrupt(), 0, cli.stderr());
    const ip = scene.serverIpv4.replace(/\./g, '\\.');
    assert.match(cli.stdout(), new RegExp(`^OUT: ${ip}$`, 'm'));
    assert.match(cli.stdout(), new RegExp(`^IN:  ${ip}$`, 'm'));
  });

  it('captures IPv6 on a dual-stack user-defined network', async () => {
    const records = await captureJson(scene, ['-f', 'icmp6'], () => {
      scene.client.exec('ping6', '-c', '2', '-W', '2', scene.serverIpv6);
    });
    const echo = records.filter((r) => r.dst === scene.serverIpv6 && r.direction === 'out' && /Echo \(ping\) request/.test(r.info));
    assert.ok(echo.length >= 2, JSON.stringify(records.map((r) => [r.src, r.dst, r.info])));
    assert.ok(records.some((r) => r.src === scene.serverIpv6 && r.direction === 'in' && /Echo \(ping\) reply/.test(r.info)));
    assert.equal(echo[0]?.protocol, 'ICMPv6');
  });

  it("captures the container's own loopback traffic, labelled lo", async () => {
    scene.client.exec('httpd', '-p', '127.0.0.1:8080', '-h', '/www');
    const records = await captureJson(scene, [], () => {
      assert.equal(scene.client.exec('wget', '-q', '-O', '-', 'http://127.0.0.1:8080/'), 'hello from dnc');
    });
    const onLoopback = records.filter((r) => r.interface === 'lo');
    assert.ok(onLoopback.some((r) => r.payload.includes(hex('GET / HTTP/1.1')) && r.dst_port === '8080' && r.src === '127.0.0.1'));
    assert.ok(onLoopback.some((r) => r.payload.includes(hex('hello from dnc')) && r.src_port === '8080'));
  });

  it('captures every network of the container: eth0 and eth1 both appear', async () => {
    const bridgeGateway = '172.17.0.1';
    const records = await captureJson(scene, ['-f', 'icmp'], () => {
      scene.client.exec('ping', '-c', '1', '-W', '2', scene.serverIpv4);
      scene.client.exec('ping', '-c', '1', '-W', '2', bridgeGateway);
    });
    const interfaces = new Set(records.map((r) => r.interface));
    assert.ok(interfaces.has('eth0') && interfaces.has('eth1'), [...interfaces].join(','));
    assert.ok(records.some((r) => r.interface === 'eth1' && r.dst === bridgeGateway && r.direction === 'out'));
  });

  it('-c egress keeps only what the container sent; -c ingress only what it received', async () => {
    const egress = await captureJson(scene, ['-c', 'egress', '-f', 'tcp port 80'], () => {
      scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    });
    assert.ok(egress.length > 0);
    assert.ok(egress.every((r) => r.direction === 'out' && r.src === scene.clientIpv4), JSON.stringify(egress));
    const ingress = await captureJson(scene, ['-c', 'ingress', '-f', 'tcp port 80'], () => {
      scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    });
    assert.ok(ingress.length > 0);
    assert.ok(ingress.every((r) => r.direction === 'in' && r.src === scene.serverIpv4), JSON.stringify(ingress));
  });

  it('-b captures on the host bridge, filtered to the container (the seed’s bridge mode)', async () => {
    const bridge = `br-${docker('network', 'inspect', '-f', '{{.Id}}', scene.network).slice(0, 12)}`;
    const records = await captureJson(scene, ['-b', bridge, '-f', 'tcp port 80'], () => {
      scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    });
    assert.ok(records.some((r) => r.interface === bridge && r.direction === 'out' && r.payload.includes(hex('GET / HTTP/1.1'))));
    assert.ok(records.some((r) => r.interface === bridge && r.direction === 'in' && r.src === scene.serverIpv4));
  });

  it('--ndjson streams one JSON object a line while the capture runs', async () => {
    const cli = startCli(['--ndjson', '-f', 'tcp port 80', scene.client.name]);
    await cli.listening;
    scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`);
    // Lines arrive before the capture ends.
    for (let i = 0; i < 50 && !cli.stdout().includes('\n'); i++) await sleep(100);
    const early = cli.stdout().trim().split('\n');
    assert.ok(early.length > 0 && early[0] !== '');
    for (const line of early) assert.equal((JSON.parse(line) as SeedRecord).dst_port === '80' || (JSON.parse(line) as SeedRecord).src_port === '80', true);
    assert.equal(await cli.interrupt(), 0);
  });

  it('--count stops by itself after N packets', async () => {
    const cli = startCli(['-j', '--count', '3', '-f', 'icmp', scene.client.name]);
    await cli.listening;
    scene.client.exec('ping', '-c', '3', '-i', '0.2', '-W', '2', scene.serverIpv4);
    assert.equal(await cli.exit, 0, cli.stderr());
    assert.equal((JSON.parse(cli.stdout()) as SeedRecord[]).length, 3);
  });

  it('--max-bytes stops by itself once that many packet bytes were captured', async () => {
    const cli = startCli(['-j', '--max-bytes', '200', '-f', 'icmp', scene.client.name]);
    await cli.listening;
    scene.client.exec('ping', '-c', '4', '-i', '0.2', '-W', '2', scene.serverIpv4);
    assert.equal(await cli.exit, 0, cli.stderr());
    // Echo frames are 98 bytes: the third one crosses 200.
    assert.equal((JSON.parse(cli.stdout()) as SeedRecord[]).length, 3);
    assert.match(cli.stderr(), /size limit reached/);
  });

  it('--duration stops by itself', async () => {
    const cli = startCli(['-j', '--duration', '1', scene.client.name]);
    await cli.listening;
    assert.equal(await cli.exit, 0, cli.stderr());
    assert.match(cli.stderr(), /capture ended: duration limit reached/);
    assert.ok(Array.isArray(JSON.parse(cli.stdout())));
  });
});
