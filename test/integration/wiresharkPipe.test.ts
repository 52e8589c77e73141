/**
 * Open in Wireshark's pipe, read by tshark the way Wireshark reads it (`-i -`): a capture
 * replayed from a real pcap (test/fixtures/streams/http-loss.pcap, HTTP between two
 * containers with losses) into a capture session with a real spool, part of it before the
 * stream starts (sent from the spool, or from memory without one) and the rest live. tshark
 * must see the very packets of the file, in order. A reader that quits ends the stream, not
 * the capture; a reader that falls behind too far misses packets, counted, and the stream
 * stays a valid pcap.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CaptureEndInfo, CaptureEvents } from '../../src/client/captureClient';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { CaptureSession } from '../../src/extension/capture/captureSession';
import { CaptureSpool } from '../../src/extension/spool/captureSpool';
import { streamToViewer } from '../../src/extension/wireshark/wiresharkStream';
import { oracleMissing } from '../unit/oracle';

const FIXTURE = join(__dirname, '..', 'fixtures', 'streams', 'http-loss.pcap');
const FRAMES: CapturedFrame[] = readPcapFile(readFileSync(FIXTURE)).records.map((r) => ({
  tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'eth0', direction: 'out', linkType: r.linkType, originalLength: r.originalLength, data: r.data,
}));
const folder = mkdtempSync(join(tmpdir(), 'dnc-wireshark-pipe-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** What tshark says of each packet of a file: time, length, protocols and Info. */
function packets(file: string): string[] {
  return execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.protocols', '-e', '_ws.col.Info'], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n').filter(Boolean);
}

/** A started capture session whose engine is the test: `deliver` hands it frames as tcpdump would. */
async function session(withSpool: boolean): Promise<{ session: CaptureSession; deliver: (frames: CapturedFrame[], perBatch?: number) => void; end: () => void }> {
  const spool = withSpool ? await CaptureSpool.create(folder, 'web', () => undefined) : undefined;
  const s = new CaptureSession({ id: 'abc', name: 'web' }, 1_000_000, () => undefined, spool);
  let events!: CaptureEvents;
  await s.start(async (e) => {
    events = e;
    return { stop: async () => e.ended({ reason: 'stopped' }), finished: new Promise<CaptureEndInfo>(() => undefined), channelDirectory: '/nonexistent', pause: () => undefined, resume: () => undefined };
  });
  events.started({ interfaces: ['eth0'], commands: [], helperPid: 1, tcpdumpPids: [], uid: 65534, gid: 65534 });
  const deliver = (frames: CapturedFrame[], perBatch = 50): void => {
    for (let i = 0; i < frames.length; i += perBatch) {
      const writer = new FrameBatchWriter();
      for (const f of frames.slice(i, i + perBatch)) writer.add(f);
      events.frames(writer.take(), Math.min(perBatch, frames.length - i));
    }
  };
  return { session: s, deliver, end: () => events.ended({ reason: 'stopped' }) };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Open in Wireshark: the pipe, read by tshark -i -', { skip: oracleMissing('tshark') }, () => {
  for (const withSpool of [true, false]) {
    it(`the packets so far (${withSpool ? 'from the spool' : 'from memory, no spool'}) then live ones: tshark sees exactly the capture's packets`, async () => {
      const { session: s, deliver, end } = await session(withSpool);
      const before = Math.floor(FRAMES.length * 0.6);
      deliver(FRAMES.slice(0, before));
      const out = join(folder, `tshark-${withSpool ? 'spool' : 'memory'}.pcapng`);
      const run = streamToViewer('tshark', ['-q', '-i', '-', '-w', out], s, (m) => assert.fail(m));
      // Live: the rest in batches as they would come, with the event loop turning between them.
      for (let i = before; i < FRAMES.length; i += 50) {
        deliver(FRAMES.slice(i, i + 50));
        await tick();
      }
      end();
      const result = await run.done;
      assert.deepEqual(result, { packets: FRAMES.length, leftOut: 0, otherLinkType: 0, ended: 'captureEnded' });
      // tshark writes its file as it exits, after our end of the pipe.
      await waitForExit(run);
      assert.deepEqual(packets(out), packets(FIXTURE));
    });
  }

  it('a reader that quits ends the stream with pipeClosed; the capture goes on', async () => {
    const { session: s, deliver, end } = await session(true);
    deliver(FRAMES.slice(0, 200));
    // `head` reads 100 bytes and exits: the pipe closes under the stream.
    const run = streamToViewer('head', ['-c', '100'], s, () => undefined);
    const last = FRAMES.length - 50;
    for (let i = 200; i < last; i += 50) {
      deliver(FRAMES.slice(i, Math.min(i + 50, last)));
      await tick();
    }
    const result = await run.done;
    assert.equal(result.ended, 'pipeClosed');
    assert.equal(s.status.state, 'capturing', 'the capture did not stop');
    deliver(FRAMES.slice(last));
    assert.equal(s.store.received, FRAMES.length, 'and keeps every packet');
    end();
  });

  it('a reader too far behind misses packets, counted; what it gets is still a valid pcap of whole packets', async () => {
    const { session: s, deliver, end } = await session(true);
    const out = join(folder, 'tshark-behind.pcapng');
    const run = streamToViewer('tshark', ['-q', '-i', '-', '-w', out], s, (m) => assert.fail(m), 256 * 1024);
    // All of it in one turn of the event loop: far more than the 256 KiB queue while the pipe is full.
    deliver(FRAMES);
    end();
    const result = await run.done;
    assert.ok(result.leftOut > 0, 'some packets were left out');
    assert.equal(result.packets + result.leftOut, FRAMES.length);
    await waitForExit(run);
    const got = packets(out);
    assert.equal(got.length, result.packets);
    // Those it got are the capture's first ones, whole and in order (then a gap).
    assert.deepEqual(got.slice(0, 100), packets(FIXTURE).slice(0, 100));
  });
});

async function waitForExit(run: { exited: Promise<number | null> }): Promise<void> {
  const code = await run.exited;
  assert.equal(code, 0, 'tshark exits cleanly');
}
