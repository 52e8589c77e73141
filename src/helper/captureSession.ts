/**
 * A running capture: its tcpdump pipelines, their pcap streams decoded into
 * frames, merged in timestamp order, limits applied. Used by the privileged
 * helper and by the CLI in the same way:
 *
 *   const session = await CaptureSession.start(specs, ...)   // as root: opens interfaces
 *   dropPrivileges()                                          // now nobody
 *   session.begin(sink)                                       // only now are packet bytes read
 */
import { LinkType, type CapturedFrame, type Direction } from '../core/packet';
import { PcapStreamReader, type PcapRecord } from '../core/pcap/pcapReader';
import { sourceMac } from '../core/decode/index';
import { CaptureError } from '../protocol/captureErrors';
import { directionOf, type PipelineSpec } from './capturePlan';
import type { CaptureLimits } from '../protocol/captureRequest';
import type { PacketSource } from './packetSource';
import { TcpdumpProcess } from './tcpdumpProcess';
import { LiveMerge } from '../core/liveMerge';
import { processStartTime } from './processStartTime';
import { releaseNamespaces } from './preparePipelines';

export interface SessionSink {
  /** Frames in timestamp order. `frame.data` is owned by the receiver. */
  frame(frame: CapturedFrame): void;
  /** Kernel drops summed over pipelines, whenever tcpdump reports new counts. */
  stats(kernelDrops: number): void;
  log(level: 'info' | 'debug' | 'warn' | 'error', message: string): void;
  /** Several containers: one of them left (its pipelines ended); the others go on. */
  left?(container: string, reason: string, error?: CaptureError): void;
  /** Called once, after the last frame. */
  ended(reason: string, error?: CaptureError): void;
}

const STATS_INTERVAL_MS = 2000;
const CONTAINER_WATCH_MS = 500;

/**
 * Tags a pipeline's frames with their direction: the same answer as
 * directionOf(spec, sourceMac(...)), but for Ethernet (every per-interface
 * capture) the source MAC is compared as a number instead of being formatted
 * into a string per packet, which was the helper's largest cost per packet
 * (bench/decodeThroughput.ts profile).
 */
export function directionTagger(spec: PipelineSpec): (data: Uint8Array, linkType: number) => Direction {
  const fixed = spec.fixedDirection;
  if (fixed) return () => fixed;
  const ownMacs = spec.containerMacs.map(macAsNumber).filter((n) => n >= 0);
  return (data, linkType) => {
    if (linkType !== LinkType.ETHERNET || data.length < 14) return directionOf(spec, sourceMac(data, linkType));
    const high = ((data[6] ?? 0) << 8) | (data[7] ?? 0);
    const low = (((data[8] ?? 0) << 24) | ((data[9] ?? 0) << 16) | ((data[10] ?? 0) << 8) | (data[11] ?? 0)) >>> 0;
    return ownMacs.includes(high * 0x1_0000_0000 + low) ? 'out' : 'in';
  };
}

/** `aa:bb:cc:dd:ee:ff` as a 48-bit number; -1 when it is not one (lower case, as sourceMac() writes it). */
function macAsNumber(mac: string): number {
  const hex = mac.split(':');
  if (hex.length !== 6 || !hex.every((h) => /^[0-9a-f]{2}$/.test(h))) return -1;
  return parseInt(hex.join(''), 16);
}
export class CaptureSession {
  private sink?: SessionSink;
  private merger?: LiveMerge<CapturedFrame>;
  private frames = 0;
  private bytes = 0;
  private endReason?: string;
  private endError?: CaptureError;
  private finished = false;
  private timers: NodeJS.Timeout[] = [];
  private openPipelines: number;
  /** Several containers (prepareTargets.ts): each can leave alone. Those that did. */
  private readonly leftContainers = new Set<string>();

  private constructor(
    private readonly processes: PacketSource[],
    private readonly limits: CaptureLimits,
  ) {
    this.openPipelines = processes.length;
  }

  /**
   * Starts a local tcpdump per pipeline and waits until each has its interface
   * open. The pinned namespace descriptors the specs carry are closed then:
   * each tcpdump holds its namespace by itself.
   */
  static async start(specs: PipelineSpec[], limits: CaptureLimits = {}): Promise<CaptureSession> {
    try {
      return await CaptureSession.fromSources(specs.map((spec) => new TcpdumpProcess(spec)), limits);
    } finally {
      releaseNamespaces(specs);
    }
  }

  /** A session over sources already started elsewhere; waits until each has its interface open. */
  static async fromSources(processes: PacketSource[], limits: CaptureLimits = {}): Promise<CaptureSession> {
    try {
      await Promise.all(processes.map((p) => p.waitUntilListening()));
    } catch (err) {
      await Promise.all(processes.map((p) => p.stop(500)));
      const message = err instanceof Error ? err.message : String(err);
      const code = /syntax error|illegal|expression|can't parse|unknown (host|port|proto)/i.test(message) ? 'invalid-filter' : 'helper-failed';
      throw new CaptureError(code, `tcpdump failed: ${message}`);
    }
    return new CaptureSession(processes, limits);
  }

  get specs(): PipelineSpec[] {
    return this.processes.map((p) => p.spec);
  }

  /** Stops reading from tcpdump (backpressure); the kernel's buffer holds what arrives meanwhile. */
  pause(): void {
    for (const p of this.processes) p.stdout.pause();
  }

  resume(): void {
    for (const p of this.processes) p.stdout.resume();
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid).filter((p): p is number => p !== undefined);
  }

  get frameCount(): number {
    return this.frames;
  }

  /**
   * tcpdump's own counters summed over the pipelines (final once the session
   * ended), so "captured by tcpdump" can be compared with frames delivered.
   */
  get tcpdumpCounts(): { captured: number; droppedByKernel: number } {
    let captured = 0;
    let droppedByKernel = 0;
    for (const p of this.processes) {
      captured += p.counts.captured ?? 0;
      droppedByKernel += p.counts.droppedByKernel ?? 0;
    }
    return { captured, droppedByKernel };
  }

  /** Starts reading packets. Call only after dropping privileges. */
  begin(sink: SessionSink): void {
    this.sink = sink;
    const deliver = (frame: CapturedFrame): void => this.deliver(frame);
    // One pipeline is in time order by itself; several are merged, each frame held
    // only as long as another pipeline's earlier frame may still be on its way.
    const merger = this.processes.length > 1 ? new LiveMerge(deliver, this.processes.length) : undefined;
    this.merger = merger;
    this.processes.forEach((p, k) => this.readPipeline(p, merger ? (f) => merger.push(k, f) : deliver));
    for (const p of this.processes) p.onCounts(() => this.reportStats());
    this.timers.push(setInterval(() => this.processes.forEach((p) => p.requestCounts()), STATS_INTERVAL_MS));
    if (this.limits.durationSeconds) {
      this.timers.push(setTimeout(() => void this.stop('duration limit reached'), this.limits.durationSeconds * 1000));
    }
    this.watchContainer();
  }

  /**
   * A tcpdump on a namespace's loopback holds that namespace alive after the
   * container is gone, so it never ends by itself: a `--network none`
   * container's capture would run forever (security review, issue 6). The
   * container's init process is watched instead (/proc/PID/stat is readable
   * by nobody too).
   */
  private watchContainer(): void {
    const watched = new Map<number, { start: string | undefined; container: string | undefined }>();
    for (const p of this.processes) {
      const pid = p.spec.namespacePid;
      if (pid !== undefined && !watched.has(pid)) watched.set(pid, { start: processStartTime(pid), container: p.spec.container });
    }
    if (watched.size === 0) return;
    this.timers.push(
      setInterval(() => {
        if (this.endReason) return;
        for (const [pid, w] of watched) {
          if (w.start !== undefined && processStartTime(pid) === w.start) continue;
          if (w.container === undefined) return void this.stop('container stopped');
          watched.delete(pid);
          this.leave(w.container, 'container stopped');
        }
      }, CONTAINER_WATCH_MS),
    );
  }

  /** Several containers: this one's pipelines stop; the capture goes on with the others and ends when none is left. */
  private leave(container: string, reason: string, error?: CaptureError): void {
    if (this.leftContainers.has(container)) return;
    this.leftContainers.add(container);
    this.sink?.left?.(container, reason, error);
    void Promise.all(this.processes.filter((p) => p.spec.container === container).map((p) => p.stop()));
  }

  /** Stops every pipeline; `ended` follows once their output is drained. */
  async stop(reason = 'stopped'): Promise<void> {
    this.endReason ??= reason;
    await Promise.all(this.processes.map((p) => p.stop()));
  }

  private readPipeline(p: PacketSource, push: (f: CapturedFrame) => void): void {
    const reader = new PcapStreamReader();
    const spec = p.spec;
    const directionOfFrame = directionTagger(spec);
    const onRecord = (rec: PcapRecord): void => {
      push({
        tsSec: rec.tsSec,
        tsUsec: rec.tsUsec,
        originalLength: rec.originalLength,
        linkType: rec.linkType,
        interfaceName: spec.interfaceName,
        direction: directionOfFrame(rec.data, rec.linkType),
        data: rec.data,
      });
    };
    p.stdout.on('data', (chunk: Buffer) => {
      if (this.finished) return;
      const result = reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (const rec of result.records) onRecord(rec);
      if (result.error) this.sink?.log('warn', `${spec.interfaceName}: ${result.error.message}`);
    });
    p.stdout.on('end', () => {
      const alreadyReported = reader.error;
      const tail = reader.end();
      if (tail && tail !== alreadyReported) this.sink?.log('warn', `${spec.interfaceName}: ${tail.message}`);
      void p.exit().then(() => this.onPipelineClosed(p));
    });
    p.stdout.resume();
  }

  private deliver(frame: CapturedFrame): void {
    if (this.finished || this.endReason && this.limitReached()) return;
    this.frames++;
    this.bytes += frame.data.length;
    this.sink?.frame(frame);
    if (this.limitReached() && !this.endReason) {
      void this.stop(this.limits.count && this.frames >= this.limits.count ? 'packet limit reached' : 'size limit reached');
    }
  }

  private limitReached(): boolean {
    return (!!this.limits.count && this.frames >= this.limits.count) || (!!this.limits.maxBytes && this.bytes >= this.limits.maxBytes);
  }

  private reportStats(): void {
    const drops = this.processes.reduce((sum, p) => sum + (p.counts.droppedByKernel ?? 0), 0);
    this.sink?.stats(drops);
  }

  private onPipelineClosed(p: PacketSource): void {
    this.openPipelines--;
    const container = p.spec.container;
    if (!this.endReason && !(container !== undefined && this.leftContainers.has(container))) {
      // A pipeline ended without being asked: its interface went away (the
      // container stopped) or tcpdump failed. Its container's other pipelines
      // are stopped too: with one container the capture ends as one; with
      // several, that container leaves and the others go on.
      const why = p.lastError ?? 'tcpdump exited';
      const gone = /went down|disappeared|no such device|doesn.t exist|not up|network is down/i.test(why);
      const reason = gone ? 'container stopped' : `tcpdump on ${p.spec.interfaceName} exited: ${why}`;
      if (container !== undefined) this.leave(container, reason, gone ? undefined : new CaptureError('helper-failed', reason));
      else {
        this.endReason = reason;
        if (!gone) this.endError = new CaptureError('helper-failed', this.endReason);
        void this.stop(this.endReason);
      }
    }
    if (this.openPipelines > 0) return;
    this.endReason ??= 'every container left';
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    for (const t of this.timers) clearInterval(t);
    this.merger?.flushAll();
    this.merger?.dispose();
    this.finished = true;
    this.reportStats();
    this.sink?.ended(this.endReason ?? 'stopped', this.endError);
  }
}
