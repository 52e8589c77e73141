/**
 * Inside the helper, for bench 7's breakdown: the root helper's own pipeline
 * code (preparePipelines, TcpdumpProcess, the helper's CaptureSession with its
 * timestamp merger) run in this process, as root, on the same scene and flood.
 * Each flood datagram is stamped when its pcap record is read from tcpdump's
 * pipe (a second listener on the same stream sees each chunk as the session
 * does) and when the session hands it on in timestamp order. What follows in
 * the real helper (the packet reader's batching, the channel to the extension)
 * is the rest of bench 7's "kernel -> callback" hop.
 *
 * While the flood reaches eth0, the target also sends the same rate to itself
 * over lo, so both pipelines carry traffic and the merge has something to
 * order: "out of order" counts frames handed on with an earlier capture time
 * than one handed on before them (what a too-short window would cause).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PcapStreamReader } from '../../src/core/pcap/pcapReader';
import { CaptureSession } from '../../src/helper/captureSession';
import { preparePipelines, releaseNamespaces } from '../../src/helper/preparePipelines';
import { TcpdumpProcess } from '../../src/helper/tcpdumpProcess';
import type { CaptureRequest } from '../../src/protocol/captureRequest';
import { flood, NOT_SENT_BY_US, nowUs, sendTimeUs, type Scene } from '../liveCapture';
import { REPO } from '../../test/support/dockerFixture';
import { median, percentile } from './figures';

export interface HelperHops {
  rate: number;
  pipelines: number;
  samples: number;
  /** Kernel capture time -> record read from tcpdump's pipe (tcpdump's wake-up, its write, the pipe), both pipelines. */
  readMedianMs: number;
  readP99Ms: number;
  readMaxMs: number;
  /** Read -> handed on by the session in timestamp order (the merger's window), eth0's incoming flood frames. */
  mergeMedianMs: number;
  mergeP99Ms: number;
  /** Frames the merger handed on (eth0 and lo) and those among them with an earlier timestamp than one handed on before. */
  handedOn: number;
  outOfOrder: number;
}

/** The flooder run in the target's own namespace, to its loopback (bounded like every flood). */
function floodLoopback(scene: Scene, rate: number, seconds: number): Promise<void> {
  const args = ['-t', String(scene.target.pid), '-n', process.execPath, join(REPO, 'bench', 'lib', 'udpFlood.mjs'), '127.0.0.1', '9998', String(rate), String(seconds), '64'];
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loopback flooder exited ${String(code)}`))));
  });
}

export async function measureHelperHops(scene: Scene, rate: number, seconds: number): Promise<HelperHops> {
  const request: CaptureRequest = { container: scene.target.name, direction: 'both', mode: { kind: 'namespace' } };
  const specs = preparePipelines(scene.target, request, () => undefined);
  const sources = specs.map((spec) => new TcpdumpProcess(spec));
  let session: CaptureSession;
  try {
    session = await CaptureSession.fromSources(sources);
  } finally {
    releaseNamespaces(specs);
  }
  const readAt = new Map<number, { kernel: number; read: number }>();
  const read: number[] = [];
  const merge: number[] = [];
  for (const source of sources) {
    const reader = new PcapStreamReader();
    source.stdout.on('data', (chunk: Buffer) => {
      const now = nowUs() / 1000;
      for (const rec of reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)).records) {
        const sent = sendTimeUs(rec.data);
        if (sent === NOT_SENT_BY_US) continue;
        const kernel = (rec.tsSec * 1e6 + rec.tsUsec) / 1000;
        readAt.set(sent, { kernel, read: now });
        read.push(now - kernel);
      }
    });
  }
  let lastOut = 0;
  let outOfOrder = 0;
  let handedOn = 0;
  const ended = new Promise<void>((resolve) => {
    session.begin({
      frame(frame) {
        const now = nowUs() / 1000;
        const ts = frame.tsSec * 1e6 + frame.tsUsec;
        handedOn++;
        if (ts < lastOut) outOfOrder++;
        lastOut = ts;
        const sent = sendTimeUs(frame.data);
        const stamp = sent === NOT_SENT_BY_US ? undefined : readAt.get(sent);
        if (stamp && frame.direction === 'in') merge.push(now - stamp.read);
      },
      stats: () => undefined,
      log: () => undefined,
      ended: () => resolve(),
    });
  });
  await Promise.all([flood(scene, rate, seconds, 64), floodLoopback(scene, rate, seconds)]);
  await new Promise((r) => setTimeout(r, 300));
  await session.stop();
  await ended;
  return {
    rate,
    pipelines: sources.length,
    samples: merge.length,
    readMedianMs: median(read),
    readP99Ms: percentile(read, 99),
    readMaxMs: read.length ? Math.max(...read) : Number.NaN,
    mergeMedianMs: median(merge),
    mergeP99Ms: percentile(merge, 99),
    handedOn,
    outOfOrder,
  };
}
