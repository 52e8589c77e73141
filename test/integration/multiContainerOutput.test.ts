/**
 * The CLI's output when it captures several containers (`a b`, through helper
 * containers), as a script or a slow pager meets it:
 * - `-j` is one valid JSON array in the seed's layout, written as the capture
 *   goes (not held to the end), each HTTP request between the two captured
 *   containers once, naming both ends;
 * - a reader that does not keep up (`| sleep 60`) does not make the CLI hold the
 *   traffic in memory: it stops reading the helpers, the kernel drops, and the
 *   CLI says how many.
 * Real containers, real helper containers with tcpdump, real traffic between the
 * scene's own containers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep, startCli, type RunningCli } from '../support/cliRunner';
import { ensureHelperImages, helpersGone, HELPER_IMAGE } from '../support/helperContainerFixture';
import { createScene, type TestScene } from '../support/testNetwork';
import { sampleRss, udpFlood } from '../support/udpFloodSampling';

/** 120,000 datagrams of 1,200 bytes, each seen twice: ~600 MB of hexdump text if all were printed. */
const FLOOD_PACKETS = 120_000;

/** The CLI capturing `containers` through helper containers, once it says it captures them all. */
async function startMulti(args: string[], containers: string[]): Promise<RunningCli> {
  const cli = startCli(['--via', 'container', '--helper-image', HELPER_IMAGE, ...args, ...containers], {}, /: capturing .*, /m);
  await cli.listening;
  return cli;
}

describe('CLI output for several containers', { timeout: 240_000 }, () => {
  let scene: TestScene;
  before(async () => {
    ensureHelperImages();
    scene = await createScene('multiout');
  });
  after(async () => {
    scene?.dispose();
    assert.deepEqual(await helpersGone(), [], 'no helper container is left');
  });

  it('-j is one JSON array in the seed layout, each request between the two containers once', async () => {
    const cli = await startMulti(['-j', '-f', 'tcp port 80'], [scene.client.name, scene.server.name]);
    for (let i = 0; i < 3; i++) scene.client.exec('wget', '-q', '-O', '/dev/null', `http://${scene.serverIpv4}/`);
    // Longer than the release window of -j (5 s: the longest pipeline lag it allows for).
    await sleep(7000);
    // Before the end, the array is already being written: it is not held until the capture stops.
    assert.match(cli.stdout(), /^\[\n {3}\{\n/, 'rows are written while the capture runs');
    cli.child.kill('SIGINT');
    assert.equal(await cli.exit, 0, cli.stderr());

    const out = cli.stdout();
    const records = JSON.parse(out) as Record<string, string>[];
    // The seed's layout: JSON.stringify(array, null, 3), one newline at the end.
    assert.equal(out, JSON.stringify(records, null, 3) + '\n');
    const requests = records.filter((r) => Buffer.from(r.payload ?? '', 'hex').toString('latin1').startsWith('GET / HTTP/1.1'));
    assert.equal(requests.length, 3, `each request once: ${JSON.stringify(requests.map((r) => [r.container, r.sent_by, r.received_by]))}`);
    for (const r of requests) {
      assert.equal(r.sent_by, scene.client.name);
      assert.equal(r.received_by, scene.server.name);
    }
    // ISO times of one length: their text order is their time order.
    const times = records.map((r) => r.time ?? '');
    assert.deepEqual(times, [...times].sort(), 'one timeline, in capture order');
  });

  it('memory stays flat while stdout is not read; the kernel drops are counted and reported', async (t) => {
    const cli = await startMulti(['-f', 'udp port 9999'], [scene.client.name, scene.server.name]);
    cli.child.stdout.pause();
    t.after(async () => {
      cli.child.stdout.resume();
      if (cli.child.exitCode === null) {
        cli.child.kill('SIGINT');
        await cli.exit;
      }
    });
    const rss = sampleRss(cli.child.pid as number);
    t.after(() => void rss.stop());
    await udpFlood(scene, FLOOD_PACKETS);
    const floodPeakMb = rss.peakMb;

    // The reader comes back and reads what waited, and the capture stops meanwhile:
    // the rows still held are printed as the reader takes them, not all at once.
    cli.child.stdout.resume();
    await sleep(500);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exit, 0, cli.stderr());
    const peakMb = rss.stop();

    const dropped = Number(/warning: the kernel dropped (\d+) packets/.exec(cli.stderr())?.[1] ?? 0);
    const shown = (cli.stdout().match(/^\[[^\]]*\] (IN|OUT):/gm) ?? []).length;
    assert.ok(dropped > 0, `drops reported: ${cli.stderr()}`);
    assert.ok(shown < FLOOD_PACKETS, `${shown} rows shown`);
    // Each datagram is seen twice (the server's eth0, the client's): every one shown was
    // seen at least once, so no more than this many sightings can have been dropped.
    assert.ok(dropped <= 2 * FLOOD_PACKETS - shown, `${dropped} drops reported, but only ${2 * FLOOD_PACKETS - shown} sightings can be missing`);
    assert.ok(floodPeakMb > 0 && peakMb < 200, `CLI RSS peaked at ${floodPeakMb.toFixed(0)} MB during the flood, ${peakMb.toFixed(0)} MB in all`);
    process.stderr.write(`# slow reader, two containers: CLI peak RSS ${floodPeakMb.toFixed(0)} MB during the flood, ${peakMb.toFixed(0)} MB in all; ${shown} rows shown, ${dropped} dropped by the kernel\n`);
  });
});
