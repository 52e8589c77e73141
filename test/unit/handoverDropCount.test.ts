/**
 * The kernel drops a helper-container capture reports after a block writer standing
 * by took over (client/helperContainer/captureHandover.ts). While it stood by, the
 * block writer's own drops were packets the per-packet tcpdump was the capture's
 * for (a consumer that paused both made both drop the same packets): from the
 * take-over on, only its drops after its first report since then count.
 * The helpers are stand-ins over streams: pcap bytes on stdout, tcpdump's
 * messages and counters on stderr, counters again on SIGUSR1, as tcpdump prints them.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { CaptureHandover } from '../../src/client/helperContainer/captureHandover';
import { ContainerPacketSource } from '../../src/client/helperContainer/containerPacketSource';
import type { HelperContainerRun, HelperExit } from '../../src/client/helperContainer/helperContainerRun';
import type { PipelineSpec } from '../../src/helper/capturePlan';

const SPEC = { interfaceName: 'eth0', argv: [], containerMacs: [] } as PipelineSpec;

/** A helper container's tcpdump: what it writes, its counters, its exit. */
class StandInHelper {
  readonly stdout = new PassThrough({ highWaterMark: 1024 * 1024 });
  readonly stderr = new PassThrough();
  readonly exited: Promise<HelperExit>;
  dropped = 0;
  captured = 0;
  /** SIGUSR1s answered. */
  answered = 0;
  private exit!: (e: HelperExit) => void;

  constructor(readonly name: string) {
    this.exited = new Promise((r) => (this.exit = r));
    this.stdout.write(pcapHeader());
    this.stderr.write('listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');
  }

  /** tcpdump printing its counters (on SIGUSR1, or as it exits). */
  report(): void {
    this.stderr.write(`${this.captured} packets captured\n${this.captured + this.dropped} packets received by filter\n${this.dropped} packets dropped by kernel\n`);
  }

  async signal(signal: 'SIGUSR1' | 'SIGTERM' | 'SIGKILL'): Promise<boolean> {
    if (signal === 'SIGUSR1') {
      setImmediate(() => {
        this.report();
        this.answered++;
      });
      return true;
    }
    this.report();
    this.stdout.end();
    this.stderr.end();
    this.exit({ code: 0 });
    return true;
  }

  async remove(): Promise<void> {}

  abandon(): void {}

  source(): ContainerPacketSource {
    return new ContainerPacketSource(SPEC, this as unknown as HelperContainerRun, async () => undefined);
  }
}

function pcapHeader(): Uint8Array {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(262144, 16);
  b.writeUInt32LE(1, 20);
  return b;
}

/** Records of 60-byte frames at microsecond `from`, `from + 1`, ... */
function records(from: number, count: number): Uint8Array {
  const b = Buffer.alloc(count * (16 + 60));
  for (let i = 0; i < count; i++) {
    const o = i * 76;
    const micros = from + i;
    b.writeUInt32LE(1_700_000_000 + Math.floor(micros / 1e6), o);
    b.writeUInt32LE(micros % 1e6, o + 4);
    b.writeUInt32LE(60, o + 8);
    b.writeUInt32LE(60, o + 12);
  }
  return b;
}

const until = async (what: string, done: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
};

describe('kernel drops across a take-over by the block writer standing by', () => {
  it('counts the per-packet tcpdump\'s drops, then the block writer\'s from the take-over on, not what it dropped standing by', async () => {
    const perPacket = new StandInHelper('per-packet');
    const blocks = new StandInHelper('blocks');
    const logs: string[] = [];
    const handover = new CaptureHandover(perPacket.source(), {
      startRun: async () => blocks.source(),
      standby: true,
      log: (_level, message) => logs.push(message),
    });
    handover.stdout.resume();
    await until('a block writer stands by', () => logs.some((l) => l.includes('a block writer stands by')));

    // A consumer paused them both: each dropped what the other dropped too.
    perPacket.dropped = 300;
    perPacket.report();
    blocks.dropped = 500;
    blocks.report();
    await until('the counters arrive', () => handover.counts.droppedByKernel === 300);
    assert.equal(handover.counts.droppedByKernel, 300, 'a standby\'s drops are not the capture\'s');

    // A flood: 1,200 records at once, far past 10,000/s.
    blocks.dropped = 520; // its counter moved on before the take-over's report
    blocks.stdout.write(records(0, 1200));
    perPacket.stdout.write(records(0, 1200));
    await until('the block writer takes over', () => logs.some((l) => l.includes('now writes in blocks')));
    // Its counters, as the capture asks for them every 2 s (SIGUSR1).
    handover.requestCounts();
    await until('its report after the take-over arrives', () => blocks.answered > 0);
    assert.equal(handover.counts.droppedByKernel, 300, 'none of the block writer\'s drops so far');

    blocks.dropped = 550;
    blocks.report();
    await until('its drops after the take-over count', () => handover.counts.droppedByKernel !== 300);
    assert.equal(handover.counts.droppedByKernel, 300 + 30);
    await handover.stop();
  });
});
