/**
 * Bench 2c (issue 12 goal 6): each live-capture path as a share of what
 * tcpdump alone captures under the same flood, in the same run.
 *
 * For every offered rate, four runs on the same scene, one after the other:
 *   anchor:    tcpdump alone in the target's namespace (nsenter, on this
 *              machine), the pipeline's own flags for eth0 (a write and a
 *              wake-up per packet), writing to /dev/null;
 *   anchorBlocks: the same without -U and --immediate-mode, tcpdump's own
 *              default, which reads the kernel's ring a block at a time and
 *              costs far less CPU at a flood: on 2 cores the per-packet anchor
 *              takes CPU from the flooder, so a pipeline that writes in blocks
 *              would beat it and the share would flatter the pipeline;
 *   host:      the root helper path (startCapture, as bench 2);
 *   container: the helper-container path (startContainerCapture).
 * Each pipeline line is read against the better of the two anchors at its rate:
 * delivered / that anchor's captured, and "lost" = tcpdump captured - frames that
 * reached the consumer's callback. CPU seconds per process over each flood
 * (bench/lib/processCpu.ts) show where the time goes.
 *
 * The rates go up to bench 2's top flood (80,000/s): on a machine where every path keeps up
 * with 40,000/s, a sweep that stopped there would call a path "as fast as tcpdump" without
 * having asked it for more.
 *
 *   DNC_BENCH_SWEEP_RATES=5000,10000,20000,40000,60000,80000 DNC_BENCH_SWEEP_SECONDS=5 \
 *     node --import tsx bench/liveVsTcpdump.ts
 *
 * DNC_BENCH_SWEEP_PATHS=anchor,anchorBlocks,container runs some paths only;
 * DNC_BENCH_VERBOSE=1 prints each pipeline's capture log (the handovers, each tcpdump's counts).
 */
import { spawn } from 'node:child_process';
import type { CaptureEvents } from '../src/client/captureClient';
import { planContainerCapture } from '../src/client/helperContainer/containerCapturePlan';
import { ensureHelperImages } from '../test/support/helperContainerFixture';
import { begin, createScene, flood, parseCountsLog, type Backend, type Scene } from './liveCapture';
import { runPart } from './lib/childResult';
import { countProcessCpu, type CpuShare } from './lib/processCpu';

/** Processes of the capture path (and the flooder), named in the CPU table. */
const PATH_PROCESSES = /^(tcpdump|containerd-shim.*|containerd|dockerd|consumer .*|flooder .*|dnc-.*)$/;

export type AnchorPath = 'anchor' | 'anchorBlocks';

export interface SweepLine {
  path: AnchorPath | Backend;
  rate: number;
  sent: number;
  floodSeconds: number;
  tcpdumpCaptured: number;
  kernelDrops: number;
  /** Frames at the consumer's callback (the anchor: tcpdump's captured count). */
  delivered: number;
  lost: number;
  deliveredPerSecond: number;
  cpu: CpuShare[];
}

interface TcpdumpAloneCounts {
  captured: number;
  dropped: number;
}

/** The pipeline's own tcpdump arguments for eth0 (anchorBlocks: without -U and --immediate-mode), with the output sent to /dev/null. */
function anchorArgs(scene: Scene, path: AnchorPath): string[] {
  const [eth0] = planContainerCapture(scene.target, { container: scene.target.name, direction: 'both', mode: { kind: 'namespace' } }, [{ name: 'eth0', loopback: false }]);
  if (!eth0) throw new Error('no plan for eth0');
  // Defined here, not by the product's block writer, so the anchor stays the same whatever that does.
  const args = eth0.argv.slice(1).filter((a) => path === 'anchor' || (a !== '-U' && a !== '--immediate-mode'));
  const out = args.indexOf('-w');
  args[out + 1] = '/dev/null';
  return args;
}

async function anchorRun(scene: Scene, path: AnchorPath, rate: number, seconds: number): Promise<SweepLine> {
  const child = spawn('nsenter', ['-t', String(scene.target.pid), '-n', 'tcpdump', ...anchorArgs(scene, path)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const listening = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (text: string) => {
      stderr += text;
      if (/listening on/.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`tcpdump alone exited before listening: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await listening;
  const cpu = countProcessCpu();
  const sent = await flood(scene, rate, seconds, 64);
  const shares = cpu.stop();
  await new Promise((r) => setTimeout(r, 1000));
  child.kill('SIGTERM');
  await exited;
  const counts = parseTcpdumpExit(stderr);
  return {
    path,
    rate,
    sent: sent.sent,
    floodSeconds: sent.seconds,
    tcpdumpCaptured: counts.captured,
    kernelDrops: counts.dropped,
    delivered: counts.captured,
    lost: 0,
    deliveredPerSecond: counts.captured / sent.seconds,
    cpu: shares.filter((s) => PATH_PROCESSES.test(s.comm)),
  };
}

function parseTcpdumpExit(stderr: string): TcpdumpAloneCounts {
  const captured = /(\d+) packets? captured/.exec(stderr);
  const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
  if (!captured || !dropped) throw new Error(`tcpdump alone printed no counts: ${stderr}`);
  return { captured: Number(captured[1]), dropped: Number(dropped[1]) };
}

async function pipelineRun(scene: Scene, backend: Backend, rate: number, seconds: number): Promise<SweepLine> {
  let received = 0;
  let kernelDrops = 0;
  const logs: string[] = [];
  const events: CaptureEvents = {
    started: () => undefined,
    frames: (_batch, n) => (received += n),
    stats: (s) => (kernelDrops = s.kernelDrops),
    log: (_level, message) => logs.push(message),
    ended: () => undefined,
  };
  const handle = await begin(backend, scene, events);
  const cpu = countProcessCpu();
  const sent = await flood(scene, rate, seconds, 64);
  const shares = cpu.stop();
  await new Promise((r) => setTimeout(r, 1000));
  await handle.stop();
  if (process.env.DNC_BENCH_VERBOSE === '1') process.stderr.write(`${logs.join('\n')}\n`);
  const counts = parseCountsLog(logs);
  if (!counts) throw new Error(`no tcpdump counts in the capture's log:\n${logs.join('\n')}`);
  return {
    path: backend,
    rate,
    sent: sent.sent,
    floodSeconds: sent.seconds,
    tcpdumpCaptured: counts.captured,
    kernelDrops: Math.max(kernelDrops, counts.kernelDropped),
    delivered: received,
    lost: counts.captured - received,
    deliveredPerSecond: received / sent.seconds,
    cpu: shares.filter((s) => PATH_PROCESSES.test(s.comm)),
  };
}

export interface SweepFigures {
  seconds: number;
  lines: SweepLine[];
}

async function main(): Promise<SweepFigures> {
  const rates = (process.env.DNC_BENCH_SWEEP_RATES ?? '5000,10000,20000,40000,60000,80000').split(',').map(Number);
  const seconds = Number(process.env.DNC_BENCH_SWEEP_SECONDS ?? 5);
  const paths = (process.env.DNC_BENCH_SWEEP_PATHS ?? 'anchor,anchorBlocks,host,container').split(',');
  const scene = await createScene();
  ensureHelperImages();
  const lines: SweepLine[] = [];
  try {
    for (const rate of rates) {
      for (const path of paths) {
        const line = path === 'anchor' || path === 'anchorBlocks' ? await anchorRun(scene, path, rate, seconds) : await pipelineRun(scene, path as Backend, rate, seconds);
        process.stderr.write(`${path} @ ${rate}/s: captured ${line.tcpdumpCaptured}, drops ${line.kernelDrops}, delivered ${line.delivered}, lost ${line.lost}; cpu ${line.cpu.slice(0, 6).map((c) => `${c.comm} ${c.seconds.toFixed(2)}`).join(', ')}\n`);
        lines.push(line);
      }
    }
  } finally {
    scene.dispose();
  }
  return { seconds, lines };
}

if (require.main === module) runPart(main);
