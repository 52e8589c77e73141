/**
 * Bridge mode (`-b`) with one direction, checked on the frames themselves: on
 * a host bridge, what the container sent is exactly the frames whose SOURCE
 * MAC is the container's, what it received those whose DESTINATION MAC is.
 * The CLI also writes the capture to a pcap (-w), and the test reads every
 * frame's Ethernet header from that file: a plan that swapped `ether src` and
 * `ether dst` would still capture packets, labelled with the wrong direction.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { sleep, startCli } from '../support/cliRunner';
import { docker } from '../support/dockerFixture';
import { createScene, type TestScene } from '../support/testNetwork';

const macAt = (frame: Uint8Array, offset: number): string => [...frame.subarray(offset, offset + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
const destinationMac = (frame: Uint8Array): string => macAt(frame, 0);
const sourceMac = (frame: Uint8Array): string => macAt(frame, 6);

describe('bridge capture of one direction', { timeout: 180_000 }, () => {
  let scene: TestScene;
  let dir: string;
  let bridge: string;
  let clientMac: string;
  let serverMac: string;

  before(async () => {
    scene = await createScene('brdir');
    dir = mkdtempSync(join(tmpdir(), 'dnc-brdir-'));
    bridge = `br-${docker('network', 'inspect', '-f', '{{.Id}}', scene.network).slice(0, 12)}`;
    const macOf = (name: string): string => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${scene.network}").MacAddress}}`, name).toLowerCase();
    clientMac = macOf(scene.client.name);
    serverMac = macOf(scene.server.name);
    assert.match(clientMac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.notEqual(clientMac, serverMac);
  });
  after(() => {
    scene?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Captures the client on the bridge with `-c direction` during one HTTP exchange; returns the frames of the -w file. */
  async function capture(direction: 'egress' | 'ingress'): Promise<{ frames: Uint8Array[]; directions: string[] }> {
    const file = join(dir, `${direction}.pcap`);
    const cli = startCli(['-j', '-b', bridge, '-c', direction, '-f', 'tcp port 80', '-w', file, scene.client.name]);
    await cli.listening;
    assert.equal(scene.client.exec('wget', '-q', '-O', '-', `http://${scene.serverIpv4}/`), 'hello from dnc');
    await sleep(500);
    assert.equal(await cli.interrupt(), 0, cli.stderr());
    const pcap = readPcapFile(readFileSync(file));
    assert.equal(pcap.error, undefined);
    assert.equal(pcap.header?.linkType, 1, 'a bridge gives Ethernet frames');
    const records = JSON.parse(cli.stdout()) as { direction: string }[];
    return { frames: pcap.records.map((r) => r.data), directions: records.map((r) => r.direction) };
  }

  it('-c egress keeps exactly the frames the container sent (source MAC = the container)', async () => {
    const { frames, directions } = await capture('egress');
    // The client's side of a TCP exchange: SYN, ACKs, the request, FIN.
    assert.ok(frames.length >= 3, `${frames.length} frames`);
    for (const f of frames) assert.equal(sourceMac(f), clientMac, `a frame from ${sourceMac(f)} to ${destinationMac(f)} in an egress capture`);
    assert.ok(frames.some((f) => destinationMac(f) === serverMac));
    assert.ok(directions.length === frames.length && directions.every((d) => d === 'out'), directions.join(','));
  });

  it('-c ingress keeps exactly the frames the container received (destination MAC = the container)', async () => {
    const { frames, directions } = await capture('ingress');
    assert.ok(frames.length >= 3, `${frames.length} frames`);
    for (const f of frames) assert.equal(destinationMac(f), clientMac, `a frame from ${sourceMac(f)} to ${destinationMac(f)} in an ingress capture`);
    assert.ok(frames.some((f) => sourceMac(f) === serverMac));
    assert.ok(directions.length === frames.length && directions.every((d) => d === 'in'), directions.join(','));
  });
});
