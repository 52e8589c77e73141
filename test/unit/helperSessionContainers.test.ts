/**
 * A capture session over pipelines of several containers (one root helper,
 * `--via host web-1 db-1`): when one container's pipelines end by themselves
 * (it stopped, or its tcpdump failed), that container leaves and the others go
 * on; the session ends once none is left. One container keeps the old rule: its
 * end is the capture's. Sources here are in-memory pcap streams, not tcpdumps.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { LinkType, type CapturedFrame } from '../../src/core/packet';
import { pcapGlobalHeader, pcapRecordBytes } from '../../src/core/pcap/pcapWriter';
import { CaptureSession } from '../../src/helper/captureSession';
import type { PipelineSpec } from '../../src/helper/capturePlan';
import type { PacketSource, TcpdumpCounts } from '../../src/helper/packetSource';

class MemorySource implements PacketSource {
  readonly stdout = new PassThrough();
  readonly counts: TcpdumpCounts = {};
  lastError: string | undefined;
  stopped = false;
  private readonly closed: Promise<number | null>;
  private close!: () => void;

  constructor(readonly spec: PipelineSpec) {
    this.stdout.pause();
    this.stdout.write(pcapGlobalHeader(LinkType.ETHERNET));
    this.closed = new Promise((r) => (this.close = () => r(0)));
    this.stdout.on('end', () => this.close());
  }

  readonly pid = undefined;
  send(seconds: number): void {
    this.stdout.write(pcapRecordBytes({ tsSec: seconds, tsUsec: 0, originalLength: 60, linkType: LinkType.ETHERNET, data: new Uint8Array(60) }));
  }
  /** tcpdump exits by itself, saying `why` on stderr. */
  die(why: string): void {
    this.lastError = why;
    this.stdout.end();
  }
  onCounts(): void {}
  waitUntilListening(): Promise<void> {
    return Promise.resolve();
  }
  requestCounts(): void {}
  stop(): Promise<number | null> {
    this.stopped = true;
    if (!this.stdout.writableEnded) this.stdout.end();
    return this.closed;
  }
  exit(): Promise<number | null> {
    return this.closed;
  }
}

const spec = (interfaceName: string, container?: string): PipelineSpec => ({ interfaceName, argv: ['tcpdump'], containerMacs: [], fixedDirection: 'in', ...(container ? { container } : {}) });

function record(session: CaptureSession): { frames: CapturedFrame[]; left: string[]; ended: Promise<{ reason: string; error?: string }> } {
  const frames: CapturedFrame[] = [];
  const left: string[] = [];
  const ended = new Promise<{ reason: string; error?: string }>((resolve) =>
    session.begin({
      frame: (f) => frames.push(f),
      stats: () => undefined,
      log: () => undefined,
      left: (container, reason, error) => left.push(`${container}: ${reason}${error ? ` (${error.code})` : ''}`),
      ended: (reason, error) => resolve({ reason, ...(error ? { error: error.code } : {}) }),
    }),
  );
  return { frames, left, ended };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe('capture session: several containers leave one by one', () => {
  it('a container whose interface went away leaves, its other pipeline is stopped, the rest goes on; the end comes when none is left', async () => {
    const webEth = new MemorySource(spec('web/eth0', 'web'));
    const webLo = new MemorySource(spec('web/lo', 'web'));
    const db = new MemorySource(spec('db/eth0', 'db'));
    const session = await CaptureSession.fromSources([webEth, webLo, db]);
    const seen = record(session);
    webEth.send(1);
    db.send(2);
    await settle();
    webEth.die('tcpdump: pcap_loop: The interface disappeared');
    await settle();
    assert.deepEqual(seen.left, ['web: container stopped']);
    assert.equal(webLo.stopped, true, "the container's loopback pipeline is stopped too");
    assert.equal(db.stopped, false, 'the other container goes on');
    db.send(3);
    await settle();
    db.die('tcpdump: pcap_loop: The interface went down');
    const end = await seen.ended;
    assert.deepEqual(end, { reason: 'every container left' });
    assert.deepEqual(seen.frames.map((f) => `${f.interfaceName}@${f.tsSec}`), ['web/eth0@1', 'db/eth0@2', 'db/eth0@3']);
    assert.deepEqual(seen.left, ['web: container stopped', 'db: container stopped']);
  });

  it('a tcpdump that fails leaves with an error; stop() ends the rest as stopped, with no error', async () => {
    const web = new MemorySource(spec('web/eth0', 'web'));
    const db = new MemorySource(spec('db/eth0', 'db'));
    const session = await CaptureSession.fromSources([web, db]);
    const seen = record(session);
    web.die('tcpdump: something broke');
    await settle();
    assert.deepEqual(seen.left, ['web: tcpdump on web/eth0 exited: tcpdump: something broke (helper-failed)']);
    await session.stop('stopped');
    assert.deepEqual(await seen.ended, { reason: 'stopped' });
  });

  it('one container (no labels): its end is the capture\'s, as before', async () => {
    const eth = new MemorySource(spec('eth0'));
    const lo = new MemorySource(spec('lo'));
    const session = await CaptureSession.fromSources([eth, lo]);
    const seen = record(session);
    eth.die('tcpdump: pcap_loop: The interface disappeared');
    assert.deepEqual(await seen.ended, { reason: 'container stopped' });
    assert.equal(lo.stopped, true);
    assert.deepEqual(seen.left, []);
  });
});
