/**
 * One stream of pcap bytes from one tcpdump, wherever that tcpdump runs: a
 * child process of the helper (TcpdumpProcess) or a process behind another
 * transport. CaptureSession reads, merges and limits any set of them the same
 * way, so every backend yields the same frames.
 */
import type { Readable } from 'node:stream';
import type { PipelineSpec } from './capturePlan';

export interface TcpdumpCounts {
  captured?: number;
  received?: number;
  droppedByKernel?: number;
}

export interface PacketSource {
  /** What is captured and how its frames are labelled (interface name, direction rules). */
  readonly spec: PipelineSpec;
  /** A process id to report, when the source is a local process. */
  readonly pid: number | undefined;
  /** tcpdump's pcap output. Paused until CaptureSession.begin(): no packet is read before. */
  readonly stdout: Readable;
  /** tcpdump's latest counters ("N packets captured / dropped by kernel"). */
  readonly counts: TcpdumpCounts;
  /** The last line tcpdump printed that is an error, not a statistic. */
  readonly lastError: string | undefined;
  onCounts(listener: (counts: TcpdumpCounts) => void): void;
  /** Resolves once tcpdump has opened the interface; rejects with its error otherwise. */
  waitUntilListening(timeoutMs?: number): Promise<void>;
  /** Asks tcpdump to print its counters. */
  requestCounts(): void;
  /** Ends the source; resolves when it has exited. */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves when the source has exited, whatever the reason. */
  exit(): Promise<number | null>;
}
