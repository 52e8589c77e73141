/**
 * Messages on the private channel between the capture helper (root, then
 * nobody) and the user's process that started it. Control messages are JSON;
 * packets travel as binary frame batches (core/frameBatch.ts).
 *
 * Wire format: u32 length (LE, of what follows) | u8 kind | body.
 * The helper writes a frames message as its 5-byte header and the batch in one
 * writev, and the receiver decodes messages in place (channelCodec.ts): the
 * batch's bytes are not copied behind a header nor joined from reads more than once.
 */

export const MessageKind = {
  /** JSON control message (HelperToClient or ClientToHelper). */
  Json: 1,
  /** A frame batch, core/frameBatch encoding. */
  Frames: 2,
} as const;

export type HelperToClient =
  /** First message: proves the helper read the request file (token) and says who it is. */
  | { type: 'hello'; token: string; pid: number }
  /** Pipelines are listening and privileges are dropped; packets follow. */
  | { type: 'started'; interfaces: string[]; commands: string[][]; tcpdumpPids: number[]; uid: number; gid: number }
  /**
   * A capture of several containers (`targets`): this one's pipelines ended
   * (it stopped, or its tcpdump failed); the others go on. Its frames are
   * labelled `container/interface` (containerInterfaceLabel.ts).
   */
  | { type: 'left'; container: string; reason: string; error?: { code: string; message: string } }
  /** Kernel drops, summed over pipelines. */
  | { type: 'stats'; kernelDrops: number }
  | { type: 'log'; level: 'info' | 'debug' | 'warn' | 'error'; message: string }
  /** Last message; the helper exits after it. */
  | { type: 'ended'; reason: string; error?: { code: string; message: string } };

export type ClientToHelper =
  /** Stop capturing; the helper answers with `ended`. */
  { type: 'stop' };

/**
 * The most containers one root helper captures at once. Each brings a
 * tcpdump per interface (eth0 and lo, typically), each with a 64 MiB kernel
 * ring (capturePlan.ts RING_BUFFER_KIB) and two pipes to the packet reader:
 * the list is bounded so a request cannot make root start without limit.
 */
export const MAX_CAPTURE_TARGETS = 16;

/** File names inside the request directory: the helper accepts no others. */
export const SOCKET_NAME = 'capture.sock';
export const REQUEST_NAME = 'request.json';

/**
 * The helper's exit codes. Refusals happen before the channel is connected,
 * so the exit code is the only way to tell the user's side which kind it was.
 */
export const HelperExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  requestRefused: 3,
  filterRefused: 4,
} as const;

/** The request file the helper reads (0600, in a 0700 directory of the user's). */
export interface HelperRequestFile {
  version: 1;
  /** One-time secret the helper echoes back in `hello`. */
  token: string;
  /** Unix socket to connect to; must sit in the same directory as this file. */
  socketPath: string;
  target: import('./resolvedContainer').ResolvedContainer;
  /**
   * Several containers in one capture, `target` first: each is checked and
   * pinned like `target` alone, and its frames are labelled with its name
   * (even when the list holds one). At most MAX_CAPTURE_TARGETS; absent for a
   * one-container capture.
   */
  targets?: import('./resolvedContainer').ResolvedContainer[];
  request: import('./captureRequest').CaptureRequest;
  verbose: boolean;
}
