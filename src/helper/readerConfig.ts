/**
 * What the root helper hands the packet reader besides descriptors: the
 * pipelines, the limits, and the bytes it had already taken from each tcpdump
 * (the pcap header). Sent over the reader's stdin once the root helper has
 * dropped its own privileges; nothing in it is secret.
 *
 * The reader's descriptors, by number (spawn's stdio array):
 */
import type { CaptureLimits } from '../protocol/captureRequest';
import type { PipelineSpec } from './capturePlan';

export const ReaderFd = {
  /** The config below, as JSON, then EOF. */
  config: 0,
  /** The reader's own errors, relayed by the root helper. */
  stderr: 2,
  /** The connected, authenticated channel to the user's process. */
  channel: 3,
  /** The runtime and the helper script, opened by root: nobody may not be able to reach them by path (a 0700 home). */
  runtime: 4,
  script: 5,
  /** Source k's tcpdump stdout is at firstSource + 2k, its stderr right after. */
  firstSource: 6,
} as const;

export interface ReaderSource {
  spec: PipelineSpec;
  /** tcpdump's PID: the reader signals it for counters and to stop it. */
  pid: number;
  /** Base64 of the pcap bytes the root helper had read before handing the pipe over. */
  prefix: string;
}

export interface ReaderConfig {
  version: 1;
  verbose: boolean;
  /** The identity the reader was started as, for logs: `nobody:nogroup`. */
  identity: string;
  limits: CaptureLimits;
  sources: ReaderSource[];
}

export function parseReaderConfig(text: string): ReaderConfig {
  const raw = JSON.parse(text) as ReaderConfig;
  if (raw?.version !== 1 || !Array.isArray(raw.sources) || raw.sources.length === 0) throw new Error('the packet reader got no valid configuration');
  for (const s of raw.sources) {
    if (!Number.isInteger(s.pid) || s.pid <= 1 || typeof s.prefix !== 'string' || !Array.isArray(s.spec?.argv)) throw new Error('the packet reader got an invalid source');
  }
  return raw;
}
