/**
 * The capture path of the CLI, whatever starts the capture: it takes a
 * `StartCapture` (the signature of client/captureClient's startCapture) and
 * prints what arrives. The host backend (hostCapture.ts) passes the root helper
 * started directly; another backend can pass its own function beside it.
 *
 *   open -w (before anything starts) -> start -> `started`: backend hook (the
 *   host backend drops root here) -> frames are decoded and printed -> ended
 *
 * Frames are decoded only after the hook returned: if it fails, the process
 * exits without touching a single frame.
 */
import type { CaptureClientOptions, CaptureEvents, CaptureHandle, CaptureStartedInfo } from '../client/captureClient';
import { forEachFrame } from '../core/frameBatch';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { validateFilter } from '../protocol/requestValidation';
import { openCaptureFile } from './captureFile';
import type { CliOptions } from './cliArguments';
import { outputFormat, PROGRAM, stdoutWriter, type CliReporter } from './cliOutput';
import { PacketPrinter } from './packetPrinter';
import { PcapFileSink } from './pcapFileSink';

export type StartCapture = (target: ResolvedContainer, request: CaptureRequest, options: CaptureClientOptions, events: CaptureEvents) => Promise<CaptureHandle>;

export interface CaptureBackend {
  start: StartCapture;
  options: CaptureClientOptions;
  /**
   * Runs once the capture listens and before any frame is decoded; returns a
   * line for --verbose. Throwing ends the process at once.
   */
  beforeFrames(info: CaptureStartedInfo): string;
}

/** The request the CLI's options describe; the filter is checked here, before anything starts. */
export function captureRequest(o: CliOptions): CaptureRequest {
  return {
    container: o.container as string,
    direction: o.direction,
    mode: o.bridge ? { kind: 'bridge', bridge: o.bridge } : { kind: 'namespace' },
    filter: validateFilter(o.filter),
    snapLength: o.snapLength,
    limits: { count: o.count, durationSeconds: o.durationSeconds, maxBytes: o.maxBytes },
  };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs one capture to its end; resolves with the exit code. */
export async function runCapture(o: CliOptions, target: ResolvedContainer, request: CaptureRequest, backend: CaptureBackend, report: CliReporter): Promise<number> {
  // -w is opened first: a refused path stops the CLI before anything runs.
  const pcapSink = o.writeFile ? new PcapFileSink(openCaptureFile(o.writeFile), o.snapLength || 262144, (m) => report.warn(m)) : undefined;

  let handle: CaptureHandle | undefined;
  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
    void handle?.stop();
  };
  // Installed before the start: a Ctrl-C while the helper starts still stops it.
  for (const sig of STOP_SIGNALS) process.on(sig, stop);
  const printer = new PacketPrinter(outputFormat(o), stdoutWriter(stop));
  let framesAllowed = false;

  const events: CaptureEvents = {
    started(info) {
      let line: string;
      try {
        line = backend.beforeFrames(info);
      } catch (err) {
        // Never decode a frame in a process whose privileges are not what they should be.
        process.stderr.write(`${PROGRAM}: error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      framesAllowed = true;
      info.commands.forEach((argv, k) => report.verbose(`interface ${info.interfaces[k] ?? '?'}: ${argv.join(' ')}`));
      report.verbose(`capturing on ${info.interfaces.join(', ')} (helper PID ${info.helperPid}, tcpdump PIDs ${info.tcpdumpPids.join(', ')}); ${line}`);
    },
    frames(batch) {
      if (!framesAllowed) return;
      forEachFrame(batch, (frame) => {
        pcapSink?.add(frame);
        printer.add(frame);
      });
    },
    stats(stats) {
      if (stats.kernelDrops > 0) report.verbose(`kernel dropped ${stats.kernelDrops} packets so far`);
    },
    log(level, message) {
      // The helper's info lines are what --verbose tells; its warnings and errors always show.
      if (level === 'warn' || level === 'error') report.line(`${level}: ${message}`);
      else report.verbose(`helper: ${message}`);
    },
    ended() {
      // Reported once `finished` resolves, below.
    },
  };

  try {
    handle = await backend.start(target, request, backend.options, events);
  } catch (err) {
    pcapSink?.close();
    throw isCaptureError(err) ? err : new CaptureError('helper-failed', err instanceof Error ? err.message : String(err));
  }
  if (stopRequested) void handle.stop();
  const end = await handle.finished;
  printer.finish();
  pcapSink?.close();
  report.verbose(`capture ended: ${end.reason}; ${printer.count} packets`);
  if (end.error) report.line(`error: ${end.error.message}`);
  return end.error ? 1 : 0;
}
