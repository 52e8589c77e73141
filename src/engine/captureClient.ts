/**
 * The unprivileged side of a capture: starts the helper (directly when already
 * root, else elevated through sudo-prompt), receives its stream over a private
 * channel and reports events. No `vscode` here: the extension and the tests
 * both drive it.
 *
 * CONTRACT ONLY until the implementation lands.
 */
import type { CaptureRequest } from './captureRequest';
import type { ResolvedContainer } from './resolvedContainer';
import { CaptureError } from './captureErrors';

export interface CaptureStartedInfo {
  /** Interfaces being captured, e.g. ["eth0", "eth1", "lo"] or ["docker0"]. */
  interfaces: string[];
}

export interface CaptureStats {
  /** Packets the kernel dropped (tcpdump's "dropped by kernel"), summed over interfaces. */
  kernelDrops: number;
}

export interface CaptureEndInfo {
  /** Why it ended, in words: "stopped", "container stopped", "packet limit reached"... */
  reason: string;
  /** Set when it ended because something failed. */
  error?: CaptureError;
}

export interface CaptureEvents {
  started(info: CaptureStartedInfo): void;
  /** A batch in core/frameBatch encoding; `frameCount` frames. */
  frames(batch: Uint8Array, frameCount: number): void;
  stats(stats: CaptureStats): void;
  log(level: 'info' | 'debug' | 'warn' | 'error', message: string): void;
  ended(info: CaptureEndInfo): void;
}

export type ElevationMethod = 'direct' | 'sudo-prompt';

export interface CaptureClientOptions {
  /** Absolute path of dist/helper.js. */
  helperScript: string;
  /** Executable that runs the helper as Node: process.execPath (Electron in VS Code desktop). */
  nodeExecutable: string;
  /** 'direct' when this process is root, else 'sudo-prompt'. */
  elevation: ElevationMethod;
  verbose: boolean;
}

export interface CaptureHandle {
  /** Asks the helper to stop; resolves once it has ended and cleaned up. */
  stop(): Promise<void>;
}

export async function startCapture(
  target: ResolvedContainer,
  request: CaptureRequest,
  options: CaptureClientOptions,
  events: CaptureEvents,
): Promise<CaptureHandle> {
  void target;
  void request;
  void options;
  void events;
  throw new CaptureError('helper-failed', 'not implemented yet');
}
