/**
 * One interface's capture through helper containers, handed over between a tcpdump
 * that writes each packet as it comes and one that writes in blocks, by the rate.
 *
 * Why: with `-U`, each packet is a write to the container's stdout, and each write
 * costs the engine (containerd-shim, then dockerd, then the attach stream): ~11 µs of
 * their CPU per packet, which fills a 2-core machine near 40,000 packets/s and starves
 * the traffic itself (BENCHMARKS.md, bench 2c). Without `-U` and `--immediate-mode`,
 * tcpdump gets the kernel's ring a block at a time and writes its stdio buffer out in
 * bursts, which the engine reads many writes at once: the same flood costs the engine
 * and tcpdump a fraction. But a block reaches tcpdump only when full or after 1 s, and
 * tcpdump has no bounded flush delay: a block writer holds a quiet interface's packets
 * up to a second, and its last ones until more come. So a capture starts with `-U`
 * (a packet leaves ~15 ms after the wire); when the interface's rate passes UP_RATE, a
 * second helper container starts writing in blocks and, once its first block comes,
 * the stream goes on with it after the last packet the first one gave, and the first
 * one stops. When the rate falls below DOWN_RATE, a `-U` helper starts; once it
 * listens and the kernel has handed the block writer every packet from before (a block
 * is handed over BLOCK_RETIRE_MS after it began at the latest; one not handed over is
 * gone when tcpdump exits), the block writer is stopped (tcpdump writes out its buffer as
 * it exits), and the stream goes on with the new one after the block writer's last
 * packet. A capture stopped on a block writer waits for that too.
 *
 * A flood can come at once, and a per-packet tcpdump in a helper container falls behind
 * within milliseconds of it, the kernel dropping what it cannot take; starting a block
 * writer then takes most of a second. So while a per-packet tcpdump runs, a block writer
 * stands by beside it, started once the first listens: its records the stream is past
 * are let go as they come (StandbyRecords), and a flood (FLOOD_RECORDS at
 * STANDBY_FLOOD_RATE) goes on with it at once, from after the last packet passed.
 *
 * Both tcpdumps see the same packets while they overlap: the stream passed on is cut
 * at a record boundary and the successor's records up to the last timestamp passed are
 * dropped (PcapRecordStream), so each packet is passed once: of the successor's records
 * stamped with that last timestamp, as many are dropped as the old one passed (two
 * packets can share a microsecond; both tcpdumps get them in the kernel's order).
 */
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { PipelineSpec } from '../../helper/capturePlan';
import type { PacketSource, TcpdumpCounts } from '../../helper/packetSource';
import type { ContainerPacketSource } from './containerPacketSource';
import { firstRecordTime, PcapRecordStream } from './pcapRecordStream';
import { StandbyRecords } from './standbyRecords';

export type TcpdumpWrites = 'per-packet' | 'blocks';

/** Packets/s over the last RATE_WINDOW_MS at which a `-U` tcpdump is handed over to a block writer. */
export const UP_RATE = 5000;
/** Packets/s below which a block writer is handed back to a `-U` tcpdump. */
export const DOWN_RATE = 1000;
const TICK_MS = 250;
const RATE_WINDOW_TICKS = 2;
/**
 * A rate over one tick at which the handover starts without waiting for the whole window:
 * a per-packet tcpdump in a helper container falls behind well before this on 2 cores, and
 * each tick of a flood on it is packets the kernel drops.
 */
const FLOOD_RATE = 4 * UP_RATE;
/**
 * With a block writer standing by, a flood is the last FLOOD_RECORDS or more passed at
 * STANDBY_FLOOD_RATE or faster, looked at every FLOOD_STEP records: met within tens of
 * milliseconds of its start, not at the next tick. Lower than FLOOD_RATE: going on with
 * a standby costs no helper start, and at 20,000/s the per-packet tcpdump already drops.
 */
const STANDBY_FLOOD_RATE = 2 * UP_RATE;
const FLOOD_RECORDS = 1000;
const FLOOD_STEP = FLOOD_RECORDS / 4;
/** Time on one tcpdump before the next handover: a rate that swings does not start a helper a second. */
const DWELL_MS = 2000;
/** Handovers that failed to start before the capture stays on the tcpdump it has. */
const MAX_FAILURES = 2;
/** A pcap file header and one record header: the block writer's first block has come. */
const FIRST_BLOCK_BYTES = 24 + 16;
/**
 * How long the per-packet tcpdump may take to deliver up to the block writer's first
 * packet. It has that packet (its socket opened first); past this, it has stopped
 * delivering (its helper is stuck), and the block writer takes over anyway.
 */
const CATCH_UP_MS = 3000;
/**
 * What a successor may hold before the stream goes on with it. Past this its stream is
 * paused: a consumer that does not read (`| sleep 60`) holds the old tcpdump back, and
 * the successor's packets then wait in its socket, where the kernel drops and counts
 * them, not in this process's memory.
 */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/**
 * What a standby may hold. It lags the per-packet tcpdump while that one keeps up, so it
 * holds next to nothing; it gets ahead only at a flood, which it takes over within
 * milliseconds, or while the consumer does not read, when it waits in the kernel instead.
 */
const MAX_STANDBY_BYTES = 1024 * 1024;
/**
 * tcpdump's read timeout (1 s, fixed in tcpdump) is the kernel's limit on how long a block
 * of the block writer's ring stays open; with a margin for tcpdump to read and write it.
 */
export const BLOCK_RETIRE_MS = 1300;
/** How long a stop waits for a helper still being started. */
const STARTING_WAIT_MS = 5000;

interface Run {
  source: ContainerPacketSource;
  writes: TcpdumpWrites;
  records: PcapRecordStream;
  /** A successor's bytes, held until the stream goes on with it. */
  queue: Uint8Array[];
  queuedBytes: number;
  stopAsked: boolean;
  /** Never took over: everything it captured, the tcpdump it was to succeed had too. */
  calledOff: boolean;
  /** A block writer standing by: its records, held until it takes over or let go. */
  standby?: StandbyRecords;
  /**
   * Its tcpdump's kernel drops before it took over: the tcpdump it succeeded was the
   * capture's then, and what both missed (a consumer that paused both) is counted once.
   */
  dropsBefore: number;
  /** It took over: `dropsBefore` is its next report of its counts, asked for then. */
  dropsBeforePending: boolean;
}

export interface HandoverEvents {
  /** Starts a helper container for the interface, writing as asked; resolves once it runs. */
  startRun(writes: TcpdumpWrites): Promise<ContainerPacketSource>;
  /**
   * A block writer stands by while a per-packet tcpdump runs. Off over ssh: each helper
   * there costs two ssh connections (its attach and its wait), and the ssh stream, not
   * the engine, is what a flood meets first.
   */
  standby: boolean;
  log(level: 'info' | 'debug' | 'warn', message: string): void;
}

export class CaptureHandover implements PacketSource {
  readonly pid = undefined;
  readonly stdout = new PassThrough({ highWaterMark: 1024 * 1024 });
  private readonly runs: Run[] = [];
  private current: Run;
  private next?: Run;
  /** 'standby': `next` is a block writer standing by for a flood. */
  private phase: 'steady' | 'starting' | 'waiting' | 'standby' = 'steady';
  /** A helper being started (a successor or a standby), settled once it runs or is stopped. */
  private starting: Promise<void> = Promise.resolve();
  /** Records passed, and when, at the last few FLOOD_STEPs: the rate of the last FLOOD_RECORDS. */
  private floodMarks: { records: number; at: number }[] = [];
  private stopping = false;
  private finished = false;
  private failures = 0;
  /** When the stream last went on with another tcpdump (0: never, so a flood at the start is met at once). */
  private lastSwitch = 0;
  private readonly window: number[] = [];
  private recordsAtTick = 0;
  private readonly timer: NodeJS.Timeout;
  private countsListener?: (counts: TcpdumpCounts) => void;
  private resolveExit!: (code: number | null) => void;
  private readonly exitPromise = new Promise<number | null>((r) => (this.resolveExit = r));

  constructor(
    first: ContainerPacketSource,
    private readonly events: HandoverEvents,
  ) {
    this.current = this.adopt(first, 'per-packet');
    this.stdout.on('drain', () => this.flowRuns());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    first.waitUntilListening().then(
      () => this.standBy(),
      () => undefined,
    );
  }

  get spec(): PipelineSpec {
    return this.runs[0]!.source.spec;
  }

  /** Names of the helper containers whose stream is passed on now. */
  get helperNames(): string[] {
    return [this.current.source.run.name];
  }

  get counts(): TcpdumpCounts {
    let captured = 0;
    let droppedByKernel = 0;
    for (const r of this.runs) {
      // Its counts would say nothing of the capture, and stopped with a short grace it may be
      // killed before it writes out what it counted.
      // A standby's packets are the current tcpdump's until it takes over.
      if (r.calledOff || r.standby) continue;
      // A tcpdump handed over gave the packets it passed: its own count also holds the
      // ones after the cut (its successor gave those) and any whose bytes the engine cut
      // off as its container exited (nobody needs them).
      if (r.records.isRetired) captured += r.records.passed;
      // A packet both tcpdumps captured while they overlapped is passed once.
      else captured += (r.source.counts.captured ?? 0) - r.records.dropped;
      droppedByKernel += Math.max(0, (r.source.counts.droppedByKernel ?? 0) - r.dropsBefore);
    }
    return { captured: Math.max(0, captured), droppedByKernel };
  }

  get lastError(): string | undefined {
    return this.current.source.lastError;
  }

  onCounts(listener: (counts: TcpdumpCounts) => void): void {
    this.countsListener = listener;
  }

  waitUntilListening(timeoutMs?: number): Promise<void> {
    return this.runs[0]!.source.waitUntilListening(timeoutMs);
  }

  requestCounts(): void {
    for (const r of this.live()) r.source.requestCounts();
  }

  async stop(graceMs?: number): Promise<number | null> {
    this.stopping = true;
    clearInterval(this.timer);
    const next = this.next;
    if (next) this.dropNext('the capture stops');
    const current = this.current;
    current.stopAsked = true;
    await Promise.all([
      // Its packets still in an open block are handed over within BLOCK_RETIRE_MS.
      (current.writes === 'blocks' ? delay(BLOCK_RETIRE_MS) : Promise.resolve()).then(() => current.source.stop(graceMs)),
      next?.source.stop(500),
      // A helper still starting is stopped as soon as it runs; an engine that no longer
      // answers does not hold the stop (the next capture's sweep removes such a helper).
      Promise.race([this.starting, delay(STARTING_WAIT_MS, undefined, { ref: false })]),
    ]);
    return this.exitPromise;
  }

  exit(): Promise<number | null> {
    return this.exitPromise;
  }

  /** Gives up on the engine: every helper's stream ends now. */
  abandon(reason: Error): void {
    for (const r of this.live()) r.source.run.abandon(reason);
  }

  /** Makes sure no helper container of this interface is left (they remove themselves on exit). */
  async removeAll(): Promise<void> {
    await Promise.all(this.runs.map((r) => r.source.run.remove()));
  }

  private live(): Run[] {
    return this.next ? [this.current, this.next] : [this.current];
  }

  private adopt(source: ContainerPacketSource, writes: TcpdumpWrites): Run {
    const run: Run = { source, writes, records: new PcapRecordStream(this.runs.length === 0), queue: [], queuedBytes: 0, stopAsked: false, calledOff: false, dropsBefore: 0, dropsBeforePending: false };
    this.runs.push(run);
    source.onCounts((counts) => {
      if (run.dropsBeforePending) {
        run.dropsBeforePending = false;
        run.dropsBefore = counts.droppedByKernel ?? run.dropsBefore;
      }
      this.countsListener?.(this.counts);
    });
    source.stdout.on('data', (chunk: Buffer) => this.onData(run, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    source.stdout.on('end', () => this.onEnd(run));
    // Read at once, unless the consumer is not reading now: what it cannot take yet waits
    // in `stdout`, whose backpressure pauses the helpers' streams (flowRuns).
    this.setFlow(run);
    return run;
  }

  private readonly pass = (bytes: Uint8Array): void => {
    if (!this.stdout.write(bytes)) this.flowRuns();
  };

  /** The consumer has not taken what was passed last: the helpers' streams wait. */
  private get consumerWaits(): boolean {
    return this.stdout.writableNeedDrain;
  }

  /** Backpressure: the consumer's pause reaches the helpers' streams, and so tcpdump and the kernel. */
  private flowRuns(): void {
    for (const r of this.live()) this.setFlow(r);
  }

  /**
   * A live helper's stream reads while the consumer does and, for a successor, while its
   * queue is under MAX_QUEUED_BYTES: what it would read otherwise, the kernel drops anyway.
   */
  private setFlow(run: Run): void {
    if (!this.consumerWaits && run.queuedBytes < (run.standby ? MAX_STANDBY_BYTES : MAX_QUEUED_BYTES)) run.source.stdout.resume();
    else run.source.stdout.pause();
  }

  private onData(run: Run, chunk: Uint8Array): void {
    if (run === this.current) {
      const wasBroken = run.records.isBroken;
      run.records.push(chunk, this.pass);
      // Said once, when it breaks: a broken stream ignores every later chunk.
      if (run.records.isBroken && !wasBroken) this.events.log('warn', `${this.spec.interfaceName}: the helper's pcap stream is broken`);
      this.goOnOnceCaughtUp();
      this.goOnIfFlood();
    } else if (run === this.next && run.standby) {
      this.holdStandby(run, run.standby, chunk);
    } else if (run === this.next) {
      run.queue.push(chunk);
      run.queuedBytes += chunk.length;
      this.setFlow(run);
      this.goOnOnceCaughtUp();
    } else {
      // A retired tcpdump's last bytes: its successor has these packets. Counted, not passed.
      run.records.push(chunk, () => undefined);
    }
  }

  private onEnd(run: Run): void {
    if (run === this.current) {
      if (!this.stopping && this.phase === 'waiting' && this.next?.writes === 'per-packet' && run.stopAsked) {
        // The block writer has written out its last block: go on with the -U tcpdump.
        this.goOnWithNext();
        return;
      }
      if (this.next) this.dropNext('the capture ended');
      this.finish();
    } else if (run === this.next && run.standby) {
      // Not a failure of the capture: it goes on as it is, without a standby.
      run.calledOff = true;
      this.next = undefined;
      this.phase = 'steady';
      this.events.log('debug', `${this.spec.interfaceName}: the block writer standing by in ${run.source.run.name} ended (${run.source.lastError ?? 'no message'})`);
    } else if (run === this.next) {
      run.calledOff = true;
      this.failures++;
      this.events.log('warn', `${this.spec.interfaceName}: the helper container ${run.source.run.name} ended before it took over (${run.source.lastError ?? 'no message'}); the capture goes on with ${this.current.source.run.name}`);
      this.next = undefined;
      this.phase = 'steady';
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.stdout.end();
    const last = this.current.source;
    void Promise.all(this.runs.map((r) => r.source.exit())).then(async () => {
      if (this.runs.length > 1) {
        const each = this.runs.map((r) => `${r.source.run.name} (${r.writes}): tcpdump captured ${r.source.counts.captured ?? '?'} (kernel dropped ${r.source.counts.droppedByKernel ?? '?'}), read ${r.records.records}, dropped as seen by the other ${r.records.dropped}`);
        this.events.log('debug', `${this.spec.interfaceName}: ${each.join('; ')}`);
      }
      this.resolveExit(await last.exit());
    });
  }

  /**
   * The block writer took over when the per-packet tcpdump has passed its first packet:
   * from there on the block writer has every packet, and up to there the per-packet one
   * gave them all. Switching at the first block's arrival instead would lose what the
   * per-packet tcpdump had captured but not yet delivered (its path lags the block
   * writer's first block by a few milliseconds at a flood).
   */
  private goOnOnceCaughtUp(): void {
    const next = this.next;
    if (this.phase !== 'waiting' || next?.writes !== 'blocks' || next.queuedBytes < FIRST_BLOCK_BYTES) return;
    const first = firstRecordTime(next.queue);
    if (!first) return;
    // A consumer that does not read holds the per-packet tcpdump back; that is not a stuck helper.
    if (this.consumerWaits) this.waitingSince = Date.now();
    this.waitingSince ??= Date.now();
    const { lastSec, lastFraction } = this.current.records;
    const caughtUp = lastSec > first.sec || (lastSec === first.sec && lastFraction >= first.fraction);
    if (caughtUp || Date.now() - this.waitingSince > CATCH_UP_MS) this.goOnWithNext();
  }

  /** Since when the block writer's first packet is known and the per-packet tcpdump has not reached it. */
  private waitingSince: number | undefined;

  /** The stream goes on with the successor, after the last packet passed. */
  private goOnWithNext(): void {
    const old = this.current;
    const next = this.next;
    if (!next) return;
    if (next.standby) {
      // Its stream from the start, less the records let go as the old one passed them.
      next.queue = next.standby.drain();
      next.records.dropped += next.standby.letGo;
      next.standby = undefined;
    }
    if (old.records.lastSec >= 0) next.records.dropThrough(old.records.lastSec, old.records.lastFraction, old.records.lastCount);
    // The stream passed on has one file header: the first tcpdump's, or the first successor's when it was cut before it.
    if (!this.runs.some((r) => r.records.globalHeaderPassed)) next.records.passOwnGlobalHeader();
    // Whatever the old tcpdump still writes is counted as it comes and dropped.
    old.records.retire();
    // Its drops count from here on: asked for now, they arrive within milliseconds (a
    // few of its drops after the cut may go uncounted; before, all of them were counted
    // twice, and a paused capture reported more drops than packets sent).
    next.dropsBefore = next.source.counts.droppedByKernel ?? 0;
    next.dropsBeforePending = true;
    next.source.requestCounts();
    this.current = next;
    this.next = undefined;
    this.phase = 'steady';
    this.waitingSince = undefined;
    this.lastSwitch = Date.now();
    this.recordsAtTick = 0;
    this.window.length = 0;
    for (const chunk of next.queue) next.records.push(chunk, this.pass);
    next.queue = [];
    next.queuedBytes = 0;
    // Paused while it waited with a full queue: its queue is empty now.
    this.setFlow(next);
    this.events.log(
      'debug',
      `${this.spec.interfaceName}: tcpdump in ${next.source.run.name} now ${next.writes === 'blocks' ? 'writes in blocks (a high rate)' : 'writes each packet (a low rate)'}; ${old.source.run.name} stops`,
    );
    // It must read to its end, or its container's exit is never seen.
    old.source.stdout.resume();
    if (!old.stopAsked) {
      old.stopAsked = true;
      void old.source.stop();
    }
    // Back on a per-packet tcpdump: a block writer stands by again for the next flood.
    if (next.writes === 'per-packet') this.standBy();
  }

  private dropNext(why: string): void {
    const next = this.next;
    if (!next) return;
    this.next = undefined;
    this.phase = 'steady';
    this.waitingSince = undefined;
    next.stopAsked = true;
    next.calledOff = true;
    const wasStandby = next.standby !== undefined;
    next.standby = undefined;
    // Everything it holds, the current tcpdump has too.
    next.records.retire();
    for (const chunk of next.queue) next.records.push(chunk, () => undefined);
    next.queue = [];
    next.source.stdout.resume();
    this.events.log('debug', `${this.spec.interfaceName}: ${wasStandby ? `the block writer standing by in ${next.source.run.name} stops` : `the handover to ${next.source.run.name} is called off`} (${why})`);
    void next.source.stop(500);
  }

  private tick(): void {
    if (this.stopping || this.finished) return;
    const standing = this.next;
    const passed = this.passedTime();
    if (standing?.standby && passed) {
      // What the stream has passed since the standby's last chunk; a paused standby reads again.
      standing.standby.trim(passed);
      standing.queuedBytes = standing.standby.bytes;
      this.setFlow(standing);
    }
    const records = this.current.records.records;
    this.window.push(records - this.recordsAtTick);
    this.recordsAtTick = records;
    if (this.window.length > RATE_WINDOW_TICKS) this.window.shift();
    const flood = (this.window[this.window.length - 1]! * 1000) / TICK_MS >= FLOOD_RATE && this.current.writes === 'per-packet';
    if (this.window.length < RATE_WINDOW_TICKS && !flood) return;
    // A consumer that does not read slows what is passed, not what the wire carries: no handover on that.
    if (this.consumerWaits) {
      this.window.length = 0;
      return;
    }
    const rate = (this.window.reduce((a, b) => a + b, 0) * 1000) / (this.window.length * TICK_MS);
    // A per-packet tcpdump that stopped delivering still hands over after CATCH_UP_MS.
    this.goOnOnceCaughtUp();
    if (this.phase === 'standby' && this.current.writes === 'per-packet' && rate >= UP_RATE && Date.now() - this.lastSwitch >= DWELL_MS) {
      this.goOnWithStandby(rate);
      return;
    }
    if (this.phase === 'waiting' && this.next?.writes === 'blocks' && this.waitingSince === undefined && rate < DOWN_RATE) {
      // The flood ended before the block writer's first block: it would hold its packets.
      this.dropNext(`the rate fell to ${Math.round(rate)} packets/s`);
      return;
    }
    if (this.phase !== 'steady' || this.failures >= MAX_FAILURES || Date.now() - this.lastSwitch < DWELL_MS) return;
    if (this.current.writes === 'per-packet' && rate >= UP_RATE) void this.handOver('blocks', rate);
    else if (this.current.writes === 'blocks' && rate < DOWN_RATE) void this.handOver('per-packet', rate);
  }

  /**
   * Starts a helper and makes it the successor (`next`), its stream read from the start;
   * undefined when it failed, or when the capture stopped meanwhile: then it is stopped,
   * and `stop` waits for that.
   */
  private startHelper(writes: TcpdumpWrites, standby: boolean): Promise<Run | undefined> {
    this.phase = 'starting';
    const started = this.events.startRun(writes).then(
      async (source): Promise<Run | undefined> => {
        const run = this.adopt(source, writes);
        if (this.stopping || this.finished) {
          run.calledOff = true;
          run.stopAsked = true;
          run.records.retire();
          await source.stop(500);
          return undefined;
        }
        if (standby) run.standby = new StandbyRecords();
        this.next = run;
        return run;
      },
      (err: unknown) => {
        this.failed(err);
        return undefined;
      },
    );
    this.starting = started.then(() => undefined);
    return started;
  }

  /** The successor once its tcpdump listens; undefined when it did not, or is no longer the successor. */
  private async startListening(writes: TcpdumpWrites, standby: boolean): Promise<Run | undefined> {
    const run = await this.startHelper(writes, standby);
    if (!run) return undefined;
    try {
      await run.source.waitUntilListening();
    } catch (err) {
      if (this.next === run) this.dropNext('its tcpdump did not start');
      this.failed(err);
      return undefined;
    }
    return this.next === run ? run : undefined;
  }

  /** A block writer stands by beside a per-packet tcpdump, for a flood to go on with it at once. */
  private async standBy(): Promise<void> {
    if (!this.events.standby || this.stopping || this.finished || this.phase !== 'steady' || this.current.writes !== 'per-packet' || this.failures >= MAX_FAILURES) return;
    const run = await this.startListening('blocks', true);
    if (!run) return;
    this.phase = 'standby';
    this.floodMarks = [{ records: this.current.records.records, at: performance.now() }];
    this.events.log('debug', `${this.spec.interfaceName}: a block writer stands by in ${run.source.run.name}`);
  }

  private holdStandby(run: Run, standby: StandbyRecords, chunk: Uint8Array): void {
    standby.push(chunk, this.passedTime());
    if (standby.isBroken) {
      this.events.log('warn', `${this.spec.interfaceName}: the standby helper's pcap stream is broken`);
      this.dropNext('its stream is broken');
      return;
    }
    run.queuedBytes = standby.bytes;
    this.setFlow(run);
  }

  /** The last packet the stream passed on; undefined before the first. */
  private passedTime(): { sec: number; fraction: number } | undefined {
    const { lastSec, lastFraction } = this.current.records;
    return lastSec >= 0 ? { sec: lastSec, fraction: lastFraction } : undefined;
  }

  /** Counts the per-packet tcpdump's records: the last FLOOD_RECORDS at STANDBY_FLOOD_RATE or faster go on with the standby now. */
  private goOnIfFlood(): void {
    if (this.phase !== 'standby' || this.current.writes !== 'per-packet') return;
    const marks = this.floodMarks;
    const records = this.current.records.records;
    if (records - marks[marks.length - 1]!.records < FLOOD_STEP) return;
    marks.push({ records, at: performance.now() });
    while (marks.length > 2 && records - marks[1]!.records >= FLOOD_RECORDS) marks.shift();
    const first = marks[0]!;
    if (records - first.records < FLOOD_RECORDS) return;
    const rate = ((records - first.records) * 1000) / Math.max(1, marks[marks.length - 1]!.at - first.at);
    if (rate >= STANDBY_FLOOD_RATE && !this.consumerWaits && Date.now() - this.lastSwitch >= DWELL_MS) this.goOnWithStandby(rate);
  }

  private goOnWithStandby(rate: number): void {
    if (!this.next?.standby) return;
    // What it holds from before the last packet passed, the cut in goOnWithNext drops.
    this.events.log('debug', `${this.spec.interfaceName}: ${Math.round(rate)} packets/s; the block writer standing by takes over`);
    this.goOnWithNext();
  }

  private async handOver(writes: TcpdumpWrites, rate: number): Promise<void> {
    this.events.log('debug', `${this.spec.interfaceName}: ${Math.round(rate)} packets/s; starting a helper whose tcpdump ${writes === 'blocks' ? 'writes in blocks' : 'writes each packet'}`);
    if (!(await this.startListening(writes, false))) return;
    this.phase = 'waiting';
    if (writes === 'per-packet') {
      // The new tcpdump listens. Once the kernel has handed the block writer every packet it
      // had before, it stops, writing out its stdio buffer as it exits.
      const blocks = this.current;
      blocks.stopAsked = true;
      await delay(BLOCK_RETIRE_MS);
      if (this.current === blocks && !this.stopping) void blocks.source.stop();
    } else {
      this.goOnOnceCaughtUp();
    }
  }

  private failed(err: unknown): void {
    this.failures++;
    this.phase = 'steady';
    this.events.log('warn', `${this.spec.interfaceName}: a helper container for the handover did not start (${err instanceof Error ? err.message : String(err)}); the capture goes on as it is`);
  }
}
