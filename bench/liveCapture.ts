/**
 * Bench 2, 4 and 5 on real containers of the private Docker daemon: a test
 * container floods another with UDP (bounded) while the engine captures the
 * target through the real helper (startCapture, elevation 'direct', as root),
 * the way the extension does.
 *
 *   2. loss:    tcpdump's own "captured" count (logged by the helper at the end)
 *               against the frames that reached the extension-side callback.
 *   4. latency: send time written into each datagram -> frame handed to the
 *               extension-side `frames` callback (not the webview row).
 *   5. memory:  the extension host's capture model (src/extension/capture
 *               CaptureSession + FrameStore, limit 100,000) and the helper's RSS,
 *               sampled while millions of packets go through.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { forEachFrame } from '../src/core/frameBatch';
import { startCapture, type CaptureEvents, type CaptureHandle, type CaptureStartedInfo } from '../src/client/captureClient';
import { startContainerCapture } from '../src/client/helperContainer/startContainerCapture';
import { ensureHelperImages, HELPER_IMAGE } from '../test/support/helperContainerFixture';
import type { CaptureRequest } from '../src/protocol/captureRequest';
import { createDockerClient } from '../src/client/dockerClient';
import type { ResolvedContainer } from '../src/protocol/resolvedContainer';
import { CaptureSession as HostCaptureSession } from '../src/extension/capture/captureSession';
import { docker, DOCKER_HOST, ensureDaemon, removeContainers, removeNetwork, REPO, runContainer, uniqueName, type TestContainer } from '../test/support/dockerFixture';
import { rssMb } from '../test/support/processTree';
import { median, percentile } from './lib/figures';
import { runPart } from './lib/childResult';

const HELPER = join(REPO, 'dist', 'helper.js');
const FLOOD_SCRIPT = join(REPO, 'bench', 'lib', 'udpFlood.mjs');
const FLOOD_PORT = 9999;
export const NOT_SENT_BY_US = -1;

export interface Scene {
  source: TestContainer;
  target: ResolvedContainer;
  targetIp: string;
  dispose(): void;
}

export async function createScene(): Promise<Scene> {
  ensureDaemon();
  const network = uniqueName('dnc-bench-net');
  const octet = 16 + Math.floor(Math.random() * 200);
  docker('network', 'create', '--subnet', `172.30.${octet}.0/24`, network);
  const sink = runContainer(uniqueName('dnc-bench-sink'), ['--network', network], ['sleep', '3600']);
  const source = runContainer(uniqueName('dnc-bench-src'), ['--network', network], ['sleep', '3600']);
  const target = await createDockerClient(DOCKER_HOST).resolveContainer(sink.name);
  return {
    source,
    target,
    targetIp: sink.ipv4(network),
    dispose() {
      removeContainers(source.name, sink.name);
      removeNetwork(network);
    },
  };
}

export interface FloodResult {
  sent: number;
  seconds: number;
}

export function flood(scene: Scene, rate: number, seconds: number, size: number, max?: number): Promise<FloodResult> {
  const args = ['-t', String(scene.source.pid()), '-n', process.execPath, FLOOD_SCRIPT, scene.targetIp, String(FLOOD_PORT), String(rate), String(seconds), String(size)];
  if (max !== undefined) args.push(String(max));
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as FloodResult) : reject(new Error(`flooder exited ${String(code)}`))));
  });
}

const REQUEST = (target: ResolvedContainer): CaptureRequest => ({ container: target.name, direction: 'both', mode: { kind: 'namespace' } });
const OPTIONS = { helperScript: HELPER, nodeExecutable: process.execPath, elevation: 'direct' as const, verbose: false };

/** The two capture backends, measured side by side on the same scene and flood. */
export type Backend = 'host' | 'container';

export function begin(backend: Backend, scene: Scene, events: CaptureEvents): Promise<CaptureHandle> {
  if (backend === 'host') return startCapture(scene.target, REQUEST(scene.target), OPTIONS, events);
  // tcpdump in a helper container joined to the target, read over the engine's attach stream.
  return startContainerCapture(createDockerClient(DOCKER_HOST), scene.target, REQUEST(scene.target), { helperImage: HELPER_IMAGE, verbose: process.env.DNC_BENCH_VERBOSE === '1' }, events);
}

/** Send time (µs since the epoch) written by udpFlood.mjs, or -1 for other frames. */
export function sendTimeUs(data: Uint8Array): number {
  // Ethernet / IPv4 / UDP to the flood port, payload "DNCB" seq(4) time(f64).
  if (data.length < 14 + 20 + 8 + 16 || data[12] !== 0x08 || data[13] !== 0x00 || data[23] !== 17) return NOT_SENT_BY_US;
  const ihl = ((data[14] ?? 0) & 0x0f) * 4;
  const udp = 14 + ihl;
  if ((((data[udp + 2] ?? 0) << 8) | (data[udp + 3] ?? 0)) !== FLOOD_PORT) return NOT_SENT_BY_US;
  const p = udp + 8;
  if (data[p] !== 0x44 || data[p + 1] !== 0x4e || data[p + 2] !== 0x43 || data[p + 3] !== 0x42) return NOT_SENT_BY_US;
  return new DataView(data.buffer, data.byteOffset + p + 8, 8).getFloat64(0, false);
}

export const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

interface TcpdumpSummary {
  captured: number;
  kernelDropped: number;
  helperSent: number;
}

export function parseCountsLog(logs: string[]): TcpdumpSummary | undefined {
  for (const line of logs) {
    const m = /tcpdump captured (\d+) packets \(kernel dropped (\d+)\); (\d+) frames (?:sent|delivered)/.exec(line);
    if (m) return { captured: Number(m[1]), kernelDropped: Number(m[2]), helperSent: Number(m[3]) };
  }
  return undefined;
}

export interface LossFigures {
  targetRate: number;
  floodSeconds: number;
  sent: number;
  tcpdumpCaptured: number;
  helperSent: number;
  received: number;
  lost: number;
  kernelDrops: number;
  /** Frames received per second while the flood ran. */
  deliveredPerSecond: number;
}

async function lossRun(scene: Scene, rate: number, seconds: number, backend: Backend = 'host'): Promise<LossFigures> {
  let received = 0;
  let kernelDrops = 0;
  let firstAt = 0;
  let lastAt = 0;
  const logs: string[] = [];
  const events: CaptureEvents = {
    started: () => undefined,
    frames: (_batch, n) => {
      const t = performance.now();
      if (!firstAt) firstAt = t;
      lastAt = t;
      received += n;
    },
    stats: (s) => (kernelDrops = s.kernelDrops),
    log: (_level, message) => logs.push(message),
    ended: () => undefined,
  };
  const handle = await begin(backend, scene, events);
  const sent = await flood(scene, rate, seconds, 64);
  await new Promise((r) => setTimeout(r, 1000));
  await handle.stop();
  const counts = parseCountsLog(logs);
  if (!counts) throw new Error(`the helper did not log tcpdump's counts:\n${logs.join('\n')}`);
  const activeSeconds = Math.max(sent.seconds, (lastAt - firstAt) / 1000);
  return {
    targetRate: rate,
    floodSeconds: sent.seconds,
    sent: sent.sent,
    tcpdumpCaptured: counts.captured,
    helperSent: counts.helperSent,
    received,
    lost: counts.captured - received,
    kernelDrops: Math.max(kernelDrops, counts.kernelDropped),
    deliveredPerSecond: received / activeSeconds,
  };
}

export interface LatencyFigures {
  rate: number;
  samples: number;
  /** Send -> extension-side callback. */
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /** Send -> kernel timestamp in the pcap record (the capture point itself). */
  kernelMedianMs: number;
}

async function latencyRun(scene: Scene, rate: number, seconds: number, backend: Backend = 'host'): Promise<LatencyFigures> {
  const total: number[] = [];
  const kernel: number[] = [];
  const events: CaptureEvents = {
    started: () => undefined,
    frames: (batch) => {
      const arrived = nowUs();
      forEachFrame(batch, (frame) => {
        const sentAt = sendTimeUs(frame.data);
        if (sentAt === NOT_SENT_BY_US || frame.direction !== 'in') return;
        total.push((arrived - sentAt) / 1000);
        kernel.push((frame.tsSec * 1e6 + frame.tsUsec - sentAt) / 1000);
      });
    },
    stats: () => undefined,
    log: () => undefined,
    ended: () => undefined,
  };
  const handle = await begin(backend, scene, events);
  await flood(scene, rate, seconds, 64);
  await new Promise((r) => setTimeout(r, 300));
  await handle.stop();
  return {
    rate,
    samples: total.length,
    medianMs: median(total),
    p99Ms: percentile(total, 99),
    maxMs: Math.max(...total),
    kernelMedianMs: median(kernel),
  };
}

export interface MemorySample {
  packets: number;
  seconds: number;
  hostRssMb: number;
  hostHeapMb: number;
  hostArrayBuffersMb: number;
  storeFrames: number;
  storeMb: number;
  helperRssMb: number;
}

export interface MemoryFigures {
  target: number;
  limit: number;
  packets: number;
  seconds: number;
  kernelDrops: number;
  samples: MemorySample[];
}

async function memoryRun(scene: Scene, packets: number, limit: number, rate: number, maxSeconds: number): Promise<MemoryFigures> {
  const session = new HostCaptureSession({ id: scene.target.id, name: scene.target.name }, limit, () => undefined);
  let started: CaptureStartedInfo | undefined;
  let kernelDrops = 0;
  const begin = performance.now();
  const samples: MemorySample[] = [];
  const sample = (): void => {
    const m = process.memoryUsage();
    samples.push({
      packets: session.packetsCaptured,
      seconds: (performance.now() - begin) / 1000,
      hostRssMb: m.rss / 1e6,
      hostHeapMb: m.heapUsed / 1e6,
      hostArrayBuffersMb: m.arrayBuffers / 1e6,
      storeFrames: session.store.size,
      storeMb: session.store.byteLength / 1e6,
      helperRssMb: (started && rssMb(started.helperPid)) || Number.NaN,
    });
  };
  session.onDidChangeStatus((s) => (kernelDrops = s.kernelDrops ?? kernelDrops));
  let handle: CaptureHandle | undefined;
  await session.start(async (events) => {
    handle = await startCapture(scene.target, REQUEST(scene.target), OPTIONS, {
      ...events,
      started: (info) => {
        started = info;
        events.started(info);
      },
    });
    return handle;
  });
  const timer = setInterval(sample, 5000);
  await flood(scene, rate, maxSeconds, 64, packets);
  await new Promise((r) => setTimeout(r, 1000));
  sample();
  clearInterval(timer);
  await session.stop();
  session.dispose();
  return { target: packets, limit, packets: session.packetsCaptured, seconds: (performance.now() - begin) / 1000, kernelDrops, samples };
}

export interface LiveFigures {
  loss: LossFigures[];
  latency: LatencyFigures;
  memory: MemoryFigures;
  /** The helper-container backend on the same scene, the same floods. */
  containerLoss: LossFigures[];
  containerLatency: LatencyFigures;
}

async function main(): Promise<LiveFigures> {
  const rates = (process.env.DNC_BENCH_RATES ?? '50000,80000').split(',').map(Number);
  const memoryPackets = Number(process.env.DNC_BENCH_MEMORY_PACKETS ?? 5_000_000);
  const scene = await createScene();
  ensureHelperImages();
  try {
    const loss: LossFigures[] = [];
    const containerLoss: LossFigures[] = [];
    for (const rate of rates) {
      loss.push(await lossRun(scene, rate, 10));
      containerLoss.push(await lossRun(scene, rate, 10, 'container'));
    }
    const latency = await latencyRun(scene, 500, 6);
    const containerLatency = await latencyRun(scene, 500, 6, 'container');
    const memory = await memoryRun(scene, memoryPackets, 100_000, Number(process.env.DNC_BENCH_MEMORY_RATE ?? 70_000), 110);
    return { loss, latency, memory, containerLoss, containerLatency };
  } finally {
    scene.dispose();
  }
}

if (require.main === module) runPart(main);
