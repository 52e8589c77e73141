/**
 * HTTP/2 frames (RFC 9113) as the decoder reports them: what a packet list row and the
 * detail pane show, and what the display filter reads (http2.type, http2.streamid,
 * http2.header.name / value). The connection preface is reported as a frame named Magic,
 * as Wireshark does.
 */

export const Http2FrameType = {
  data: 0, headers: 1, priority: 2, rstStream: 3, settings: 4, pushPromise: 5, ping: 6, goaway: 7, windowUpdate: 8, continuation: 9,
} as const;

/** The client connection preface, before any frame (RFC 9113 section 3.4). */
export const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** The type of the preface pseudo-frame. */
export const MAGIC_TYPE = -1;

const TYPE_NAMES: readonly string[] = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'];

export interface Http2Frame {
  /** Frame type (0-255), or MAGIC_TYPE for the preface. */
  type: number;
  streamId: number;
  flags: number;
  /** Payload length from the frame header. */
  length: number;
  /** The decoded header list of HEADERS / PUSH_PROMISE (with its CONTINUATIONs), in order. */
  headers?: [string, string][];
  /** Why the header block could not be decoded (the frame itself is still shown). */
  headerError?: string;
}

export function http2TypeName(type: number): string {
  if (type === MAGIC_TYPE) return 'Magic';
  return TYPE_NAMES[type] ?? `Unknown type ${type}`;
}

/** The flag names a frame of `type` can carry, for the detail pane. */
export function http2FlagNames(type: number, flags: number): string[] {
  const names: string[] = [];
  const has = (bit: number): boolean => (flags & bit) !== 0;
  if (type === Http2FrameType.settings || type === Http2FrameType.ping) {
    if (has(0x1)) names.push('ACK');
    return names;
  }
  if ((type === Http2FrameType.data || type === Http2FrameType.headers) && has(0x1)) names.push('END_STREAM');
  if ((type === Http2FrameType.headers || type === Http2FrameType.pushPromise || type === Http2FrameType.continuation) && has(0x4)) names.push('END_HEADERS');
  if ((type === Http2FrameType.data || type === Http2FrameType.headers || type === Http2FrameType.pushPromise) && has(0x8)) names.push('PADDED');
  if (type === Http2FrameType.headers && has(0x20)) names.push('PRIORITY');
  return names;
}

/** A few reason phrases, as Wireshark writes them after the status ("200 OK"). */
const REASONS: Readonly<Record<string, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function headerValue(frame: Http2Frame, name: string): string | undefined {
  return frame.headers?.find(([n]) => n === name)?.[1];
}

/** One frame as the Info column says it: `HEADERS[1]: GET /path`, `HEADERS[1]: 200 OK`, `DATA[1]`. */
export function http2FrameInfo(frame: Http2Frame): string {
  if (frame.type === MAGIC_TYPE) return 'Magic';
  const head = `${http2TypeName(frame.type)}[${frame.streamId}]`;
  const method = headerValue(frame, ':method');
  if (method !== undefined) return `${head}: ${method} ${headerValue(frame, ':path') ?? ''}`.trimEnd();
  const status = headerValue(frame, ':status');
  if (status !== undefined) return `${head}: ${status}${REASONS[status] ? ` ${REASONS[status]}` : ''}`;
  return head;
}

/** The Info of a packet's frames, joined as Wireshark joins them. */
export function http2Info(frames: readonly Http2Frame[]): string {
  return frames.map(http2FrameInfo).join(', ');
}
