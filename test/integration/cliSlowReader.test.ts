/**
 * A live capture whose stdout nobody reads (`... | sleep 60`): the CLI must not
 * hold the traffic in memory. Its printer stops reading the channel while stdout
 * is full, the helper stops reading tcpdump, the kernel drops what tcpdump
 * cannot take, and the CLI says how many were dropped. Real containers, real
 * tcpdump, a bounded UDP flood between the scene's own containers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCli, sleep } from '../support/cliRunner';
import { childrenOf, identityOf } from '../support/processTree';
import { createScene, type TestScene } from '../support/testNetwork';
import { sampleRss, udpFlood } from '../support/udpFloodSampling';

/** 120,000 datagrams of 1,200 bytes: ~150 MB on the wire, ~600 MB of hexdump text nobody reads. */
const FLOOD_PACKETS = 120_000;

describe('CLI capture with a reader that does not keep up', { timeout: 180_000 }, () => {
  let scene: TestScene;
  before(async () => {
    scene = await createScene('slowrd');
  });
  after(() => scene?.dispose());

  it('memory stays flat while stdout is not read; the kernel drops are counted and reported', async (t) => {
    // Only the CLI's own stderr is read; its stdout pipe is left full, as `| sleep 60` leaves it.
    const cli = startCli(['-f', 'udp port 9999', scene.client.name]);
    cli.child.stdout.pause();
    // Whatever fails below, the capture is stopped and its output drained.
    t.after(async () => {
      cli.child.stdout.resume();
      if (cli.child.exitCode === null) await cli.interrupt();
    });
    await cli.listening;
    // The printer names itself once its code runs, a moment after the CLI says it listens (bounded wait).
    let printer: number | undefined;
    for (let i = 0; i < 50 && printer === undefined; i++) {
      printer = childrenOf(cli.child.pid as number).find((p) => identityOf(p).name === 'dnc-cli-printer');
      if (printer === undefined) await sleep(100);
    }
    assert.ok(printer, 'the confined printing process runs');

    const rss = sampleRss(printer);
    t.after(() => void rss.stop());
    await udpFlood(scene, FLOOD_PACKETS);
    const floodPeakMb = rss.peakMb;

    // Now read (and discard) what waits, then stop as Ctrl-C would.
    cli.child.stdout.resume();
    await sleep(500);
    const code = await cli.interrupt();
    assert.equal(code, 0, cli.stderr());
    const peakMb = rss.stop();

    const dropped = Number(/warning: the kernel dropped (\d+) packets/.exec(cli.stderr())?.[1] ?? 0);
    const shown = (cli.stdout().match(/^IN: {2}/gm) ?? []).length;
    assert.ok(dropped > 0, `drops reported: ${cli.stderr()}`);
    assert.ok(shown < FLOOD_PACKETS, `${shown} packets shown`);
    // The whole flood as text would be ~600 MB; the printer held a bounded part of it.
    assert.ok(floodPeakMb > 0 && peakMb < 150, `printer RSS peaked at ${floodPeakMb.toFixed(0)} MB during the flood, ${peakMb.toFixed(0)} MB in all`);
    process.stderr.write(`# slow reader: printer peak RSS ${floodPeakMb.toFixed(0)} MB during the flood, ${peakMb.toFixed(0)} MB in all; ${shown} packets shown, ${dropped} dropped by the kernel\n`);
  });
});
