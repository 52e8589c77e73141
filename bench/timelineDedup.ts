/**
 * Bench 7: one timeline out of a 5-container capture, each packet once.
 * 1,000,000 sightings (frames as the five captures saw them): TCP and UDP
 * between the five containers, each such packet seen twice (the sender's
 * egress, the receiver's ingress 20-80 µs later), a few lost on the way, plus
 * traffic to and from addresses nobody captures. Timed: mergeByTime of the
 * five per-container streams, then the PacketDeduplicator with the
 * containers' addresses, as the CLI and the inspector run them. Frames are
 * built before the clock starts. A timed run's consumer only counts the rows.
 * One more run, after the timed ones, also hashes every row (rowChecksum) so a
 * faster version can show it yields the very same timeline; its time is
 * reported apart (`withChecksumMs`: what this bench timed before 2026-11-30
 * 15:30, when every run hashed its rows, about a tenth of the total).
 *
 *   node --import tsx bench/timelineDedup.ts [RUNS]
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { LinkType } from '../src/core/packet';
import { CapturedAddresses } from '../src/core/timeline/capturedAddresses';
import type { ContainerFrame, TimelinePacket } from '../src/core/timeline/containerFrame';
import { PacketDeduplicator } from '../src/core/timeline/packetDeduplicator';
import { mergeByTime } from '../src/core/timeline/timelineMerger';
import { runPart } from './lib/childResult';
import { median, nowMs } from './lib/figures';
import { seededRandom } from './lib/syntheticTraffic';

export interface TimelineFigures {
  sightings: number;
  containers: number;
  rows: number;
  paired: number;
  notSeenArriving: number;
  mergeMs: number;
  totalMs: number;
  runs: number[];
  sightingsPerSecond: number;
  /** CPU time of the process within each timed run (less sensitive than wall time to a shared machine). */
  cpuRuns: number[];
  cpuMs: number;
  /** The checksum run: merge + de-duplication with every row hashed, wall time. */
  withChecksumMs: number;
  /**
   * A hash over every row in output order (its frame, and the delivery: who sent, who
   * received, which arrival copy): equal before and after a change that must not change
   * what the user sees.
   */
  checksum: string;
  /** Garbage collection within the timed part, median of the runs. */
  gcMs: number;
}

const CONTAINERS = 5;
const SIGHTINGS = Number(process.env.DNC_BENCH_SIGHTINGS ?? 1_000_000);

function frameBytes(src: number[], dst: number[], ipId: number, seq: number, payload: number, udp: boolean): Uint8Array {
  const l4 = udp ? 8 : 20;
  const total = 20 + l4 + payload;
  const b = new Uint8Array(14 + total);
  b.set([2, 0x42, 0xac, 0x12, 0, 3, 2, 0x42, 0xac, 0x12, 0, 2, 0x08, 0x00]);
  b.set([0x45, 0, total >> 8, total & 0xff, ipId >> 8, ipId & 0xff, 0x40, 0, 64, udp ? 17 : 6, 0, 0, ...src, ...dst], 14);
  const t = 34;
  b.set([0x9c, 0x40, 0, 80], t);
  if (udp) b.set([(8 + payload) >> 8, (8 + payload) & 0xff, 0, 0], t + 4);
  else b.set([seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0], t + 4);
  for (let i = 0; i < payload; i++) b[t + l4 + i] = (i * 31 + seq) & 0xff;
  return b;
}

function generate(): { streams: ContainerFrame[][]; addresses: CapturedAddresses } {
  const random = seededRandom(7);
  const names = Array.from({ length: CONTAINERS }, (_, i) => `svc-${i + 1}`);
  const ips = names.map((_, i) => [10, 77, 0, i + 2]);
  const addresses = new CapturedAddresses();
  names.forEach((n, i) => addresses.add(ips[i]!.join('.'), n));
  const streams: ContainerFrame[][] = names.map(() => []);
  const ipIds = new Array<number>(CONTAINERS).fill(0);
  let usec = 0;
  let count = 0;
  let seq = 1;
  const push = (c: number, direction: 'in' | 'out', at: number, data: Uint8Array): void => {
    streams[c]!.push({ container: names[c]!, direction, interfaceName: 'eth0', tsSec: 1_700_000_000 + Math.floor(at / 1e6), tsUsec: at % 1e6, linkType: LinkType.ETHERNET, originalLength: data.length, data });
    count++;
  };
  while (count < SIGHTINGS) {
    usec += 1 + Math.floor(random() * 9);
    const from = Math.floor(random() * CONTAINERS);
    const kind = random();
    const payload = Math.floor(1400 * random() ** 3);
    const udp = random() < 0.3;
    seq = (seq + 1 + payload) >>> 0;
    if (kind < 0.75) {
      // Between two captured containers: both copies, unless lost (0.1%).
      let to = Math.floor(random() * (CONTAINERS - 1));
      if (to >= from) to++;
      ipIds[from] = (ipIds[from]! + 1) & 0xffff;
      const data = frameBytes(ips[from]!, ips[to]!, ipIds[from]!, seq, payload, udp);
      push(from, 'out', usec, data);
      if (random() >= 0.001) push(to, 'in', usec + 20 + Math.floor(random() * 60), data.slice());
    } else if (kind < 0.875) {
      push(from, 'out', usec, frameBytes(ips[from]!, [10, 77, 1, 9], 0, seq, payload, udp));
    } else {
      push(from, 'in', usec, frameBytes([10, 77, 1, 9], ips[from]!, 0, seq, payload, udp));
    }
  }
  // An ingress copy is stamped after its egress: each stream is sorted as a tcpdump's would be.
  for (const s of streams) s.sort((a, b) => a.tsSec * 1e6 + a.tsUsec - (b.tsSec * 1e6 + b.tsUsec));
  return { streams, addresses };
}

function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193);
}

/**
 * Folds a frame into `h`: where (the last character of the container's name:
 * svc-1..svc-5), when, and which packet (IP ID, TCP sequence) of several
 * same-sized ones. Cheap: it runs inside the timed part.
 */
function frameChecksum(h: number, f: ContainerFrame): number {
  const d = f.data;
  const c = f.container;
  h = mix(mix(h, f.tsSec), f.tsUsec);
  h = mix(h, (c.charCodeAt(c.length - 1) << 8) | f.direction.length);
  h = mix(mix(h, d.length), (d[18]! << 8) | d[19]!);
  return mix(h, (d[38]! << 24) | (d[39]! << 16) | (d[40]! << 8) | d[41]!);
}

/** Folds one row into `h`: its frame and its delivery (who sent, who received, which arrival copy). */
function rowChecksum(h: number, p: TimelinePacket): number {
  h = frameChecksum(h, p.frame);
  const d = p.delivery;
  if (!d) return mix(h, 0);
  const sentBy = d.sentBy;
  const receivedBy = d.receivedBy;
  h = mix(h, (d.state.length << 16) | (sentBy.charCodeAt(sentBy.length - 1) << 8) | receivedBy.charCodeAt(receivedBy.length - 1));
  return d.state === 'received' ? frameChecksum(h, d.received) : h;
}

/** Milliseconds the garbage collector ran within [from, to] (performance.now() times). */
function gcMsBetween(entries: readonly PerformanceEntry[], from: number, to: number): number {
  let ms = 0;
  for (const e of entries) if (e.startTime >= from && e.startTime <= to) ms += e.duration;
  return ms;
}

interface RunResult {
  ms: number;
  cpuMs: number;
  mergeMs: number;
  rows: number;
  paired: number;
  notSeenArriving: number;
  /** Set when the run hashed its rows. */
  checksum: string | undefined;
  span: [number, number];
}

/** One merge + de-duplication of the five streams; `hashRows`: the consumer hashes every row (else it counts them). */
function timelineRun(streams: readonly ContainerFrame[][], addresses: CapturedAddresses, hashRows: boolean): RunResult {
  const cpuBefore = process.cpuUsage();
  const started = nowMs();
  const merged = mergeByTime(streams);
  const mergeMs = nowMs() - started;
  let rows = 0;
  let notSeenArriving = 0;
  let h = 0x811c9dc5;
  const dedup = new PacketDeduplicator(
    hashRows
      ? (p) => {
          rows++;
          if (p.delivery?.state === 'not-seen-arriving') notSeenArriving++;
          h = rowChecksum(h, p);
        }
      : (p) => {
          rows++;
          if (p.delivery?.state === 'not-seen-arriving') notSeenArriving++;
        },
    { addresses },
  );
  for (let i = 0; i < merged.length; i++) dedup.push(merged[i]!);
  dedup.flushAll();
  const ended = nowMs();
  const cpu = process.cpuUsage(cpuBefore);
  const checksum = hashRows ? (h >>> 0).toString(16).padStart(8, '0') : undefined;
  return { ms: ended - started, cpuMs: (cpu.user + cpu.system) / 1000, mergeMs, rows, paired: dedup.paired, notSeenArriving, checksum, span: [started, ended] };
}

async function main(): Promise<TimelineFigures> {
  const runsWanted = Number(process.argv[2] ?? 3);
  const { streams, addresses } = generate();
  const sightings = streams.reduce((n, s) => n + s.length, 0);
  const gcEntries: PerformanceEntry[] = [];
  const gcObserver = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  const timed: RunResult[] = [];
  for (let r = 0; r < runsWanted; r++) timed.push(timelineRun(streams, addresses, false));
  const hashed = timelineRun(streams, addresses, true);
  // GC entries arrive asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gcObserver.disconnect();
  const gcMs = median(timed.map(({ span: [from, to] }) => gcMsBetween(gcEntries, from, to)));
  // Every run must yield the same timeline; a difference is a bug, not a figure.
  const shapes = new Set([...timed, hashed].map((r) => `${r.rows}/${r.paired}/${r.notSeenArriving}`));
  if (shapes.size !== 1) throw new Error(`the runs' timelines differ: ${[...shapes].join(', ')}`);
  const runs = timed.map((r) => r.ms);
  const cpuRuns = timed.map((r) => r.cpuMs);
  const totalMs = median(runs);
  return {
    sightings,
    containers: CONTAINERS,
    rows: hashed.rows,
    paired: hashed.paired,
    notSeenArriving: hashed.notSeenArriving,
    mergeMs: median(timed.map((r) => r.mergeMs)),
    totalMs,
    runs,
    sightingsPerSecond: (sightings / totalMs) * 1000,
    cpuRuns,
    cpuMs: median(cpuRuns),
    withChecksumMs: hashed.ms,
    checksum: hashed.checksum ?? '',
    gcMs,
  };
}

runPart(main);
