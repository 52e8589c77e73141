/**
 * The capture path of the CLI, whatever starts the capture: it takes a
 * `StartCapture` (the signature of client/captureClient's startCapture) and
 * hands the channel to a process that prints what arrives.
 *
 *   open -w (before anything starts) -> start -> `started`: backend hand-over
 *   (the host backend starts its confined printing process, capturePrinter.ts,
 *   and drops root here) -> relay stop signals to the printer -> its exit code
 *
 * This process never decodes a frame: if the hand-over fails, it exits
 * without touching one.
 */
import { closeSync, writeSync } from 'node:fs';
import type { CaptureClientOptions, CaptureEvents, CaptureHandle, CaptureStartedInfo } from '../client/captureClient';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import type { CaptureRequest } from '../protocol/captureRequest';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { validateFilter } from '../protocol/requestValidation';
import { openCaptureFile } from './captureFile';
import { captureFileFormat, captureFileHeader } from './captureFileSinks';
import type { CliOptions } from './cliArguments';
import { PROGRAM, type CliReporter } from './cliOutput';
import type { LaunchedPrinter } from './printerLaunch';

/** One container, or several captured by one helper (multiHostCapture.ts). */
export type CaptureTarget = ResolvedContainer | readonly ResolvedContainer[];

export type StartCapture = (target: CaptureTarget, request: CaptureRequest, options: CaptureClientOptions, events: CaptureEvents) => Promise<CaptureHandle>;

export interface CaptureBackend {
  start: StartCapture;
  options: CaptureClientOptions;
  /**
   * Runs inside `started`, before any frame is read: gives the channel (and
   * the -w descriptor, whose header is written) to the printing process and
   * returns it with a line for --verbose. Throwing ends the process at once.
   */
  handOver(info: CaptureStartedInfo, captureFd: number | undefined): { printer: LaunchedPrinter; line: string };
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
export async function runCapture(o: CliOptions, target: CaptureTarget, request: CaptureRequest, backend: CaptureBackend, report: CliReporter): Promise<number> {
  // -w is opened first: a refused path stops the CLI before anything runs.
  let captureFd = o.writeFile ? openCaptureFile(o.writeFile) : undefined;
  if (captureFd !== undefined) writeSync(captureFd, captureFileHeader(captureFileFormat(o.writeFile as string), o.snapLength || 262144));

  let handle: CaptureHandle | undefined;
  let printer: LaunchedPrinter | undefined;
  let stopRequested = false;
  const stop = (signal: NodeJS.Signals): void => {
    // Once the printer runs, it is the one that tells the helper to stop.
    if (printer) return printer.signal(signal);
    stopRequested = true;
    void handle?.stop();
  };
  // Installed before the start: a Ctrl-C while the helper starts still stops it.
  for (const sig of STOP_SIGNALS) process.on(sig, () => stop(sig));

  const events: CaptureEvents = {
    started(info) {
      let line: string;
      try {
        const fd = captureFd;
        captureFd = undefined; // the hand-over closes it
        ({ printer, line } = backend.handOver(info, fd));
      } catch (err) {
        // Never decode a frame in a process whose privileges are not what they should be.
        process.stderr.write(`${PROGRAM}: error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      info.commands.forEach((argv, k) => report.verbose(`interface ${info.interfaces[k] ?? '?'}: ${argv.join(' ')}`));
      report.verbose(`capturing on ${info.interfaces.join(', ')} (helper PID ${info.helperPid}, tcpdump PIDs ${info.tcpdumpPids.join(', ')}); ${line}`);
    },
    frames() {
      // Never here: the channel is handed over inside `started`.
    },
    stats() {
      // Reported by the printer.
    },
    log(level, message) {
      // Until the hand-over: the helper's info lines are what --verbose tells; its warnings and errors always show.
      if (level === 'warn' || level === 'error') report.line(`${level}: ${message}`);
      else report.verbose(`helper: ${message}`);
    },
    ended() {
      // The printer reports the end.
    },
  };

  try {
    handle = await backend.start(target, request, backend.options, events);
  } catch (err) {
    if (captureFd !== undefined) closeSync(captureFd);
    throw isCaptureError(err) ? err : new CaptureError('helper-failed', err instanceof Error ? err.message : String(err));
  }
  if (!printer) throw new CaptureError('helper-failed', 'the capture started without a printing process');
  if (stopRequested) printer.signal('SIGTERM');
  // The printer prints, writes -w, tells the helper to stop and reports the end; its exit code is the CLI's.
  const result = await printer.exited;
  if (result.code === null) report.line(`error: the printing process ${result.signal ? `was killed by ${result.signal}` : 'failed to start'}`);
  return result.code ?? 1;
}
