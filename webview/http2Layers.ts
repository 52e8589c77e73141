/**
 * The detail pane's layer for the HTTP/2 frames of a decrypted packet: one layer per
 * frame, named as Wireshark's Info names it (`HEADERS[1]: GET /path`), with its type,
 * stream, flags, length and decoded header list. No byte ranges: these come from the
 * plaintext, not the frame's bytes.
 */
import { http2FlagNames, http2FrameInfo, http2TypeName, MAGIC_TYPE } from '../src/core/http2/http2Frame';
import type { PacketLayer } from '../src/core/packet';
import type { TlsHttp2Frame } from '../src/protocol/webviewMessages';

/** Header lines shown per frame; a longer list ends with a count. */
const MAX_HEADERS = 200;

export function http2Layers(frames: readonly TlsHttp2Frame[]): PacketLayer[] {
  return frames.map((frame) => {
    const layer: PacketLayer = { name: `HTTP/2 ${http2FrameInfo(frame)} (decrypted)`, offset: 0, length: 0, fields: [] };
    const add = (name: string, value: string): void => {
      layer.fields.push({ name, value, offset: 0, length: 0 });
    };
    if (frame.type === MAGIC_TYPE) {
      add('Magic', 'PRI * HTTP/2.0 (the client connection preface)');
      return layer;
    }
    const flags = http2FlagNames(frame.type, frame.flags);
    add('Type', `${http2TypeName(frame.type)} (${frame.type})`);
    add('Stream Identifier', String(frame.streamId));
    add('Flags', `0x${frame.flags.toString(16).padStart(2, '0')}${flags.length ? ` (${flags.join(', ')})` : ''}`);
    add('Length', String(frame.length));
    const headers = frame.headers ?? [];
    headers.slice(0, MAX_HEADERS).forEach(([name, value]) => add(`Header: ${name}`, value));
    if (headers.length > MAX_HEADERS) add('Headers', `… ${headers.length - MAX_HEADERS} more`);
    if (frame.headerError) add('Header block not decoded', frame.headerError);
    return layer;
  });
}
