/**
 * Open in Wireshark: starts `wireshark -k -i -` (no shell: an argument array, the program
 * found on PATH at activation) and streams the capture into its standard input as pcap
 * (pcapLiveStream.ts). Wireshark runs as the user, like the editor: it reads packets
 * from a pipe and needs no privilege. No `vscode` here.
 */
import { spawn } from 'node:child_process';
import type { PcapStreamResult, PcapStreamSource } from './pcapLiveStream';
import { PcapLiveStream } from './pcapLiveStream';

/** Wireshark's arguments: start capturing (-k) at once on the standard input (-i -). */
export const WIRESHARK_ARGS = ['-k', '-i', '-'] as const;
/** Stderr kept for the log when Wireshark fails to start. */
const STDERR_TAIL = 4096;

export interface ViewerRun {
  /** Resolves when the stream ended (capture over, or the viewer closed). */
  done: Promise<PcapStreamResult>;
  /** Resolves with the viewer's exit code once it exited (null: killed, or it never started). */
  exited: Promise<number | null>;
  /** Closes the pipe (the viewer keeps what it got). */
  stop(): void;
}

/** Spawns `program args` and streams `source` into its stdin; `log` gets its stderr's tail when it fails. */
export function streamToViewer(program: string, args: readonly string[], source: PcapStreamSource, log: (message: string) => void, maxQueuedBytes?: number): ViewerRun {
  const child = spawn(program, [...args], { stdio: ['pipe', 'ignore', 'pipe'], shell: false });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  child.on('error', (e) => {
    log(`${program} could not start: ${e.message}`);
    child.stdin.destroy();
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null) log(`${program} exited with code ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    else if (signal) log(`${program} ended by ${signal}`);
    // Its stdin may stay open in a grandchild (dumpcap): the viewer is gone either way.
    child.stdin.destroy();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const done = PcapLiveStream.run(source, child.stdin, maxQueuedBytes);
  return { done, exited, stop: () => child.stdin.destroy() };
}
