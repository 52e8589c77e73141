/**
 * Application-layer one-liners found in a TCP payload: HTTP/1.x request and status
 * lines, and TLS records (ClientHello's SNI). Recognised by content, not by port,
 * because containers serve HTTP on any port. Each function returns undefined when
 * the payload is not its protocol, and never reads outside `[start, end)`.
 */
import { asciiText, u16, u8 } from './bytes';
import { field, pushLayer, type Layers } from './layers';

export interface AppResult {
  protocol: string;
  info: string;
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE']);
const MAX_LINE = 512;
const MAX_HEADER_LINES = 100;

/** End of the line starting at `pos` (index of CR or LF, or `end`). */
function lineEnd(d: Uint8Array, pos: number, end: number): number {
  const stop = Math.min(end, pos + MAX_LINE);
  for (let i = pos; i < stop; i++) {
    const b = d[i];
    if (b === 0x0d || b === 0x0a) return i;
  }
  return stop;
}

function startsWithHttpVersion(d: Uint8Array, o: number, end: number): boolean {
  // "HTTP/1."
  return o + 7 <= end && d[o] === 0x48 && d[o + 1] === 0x54 && d[o + 2] === 0x54 && d[o + 3] === 0x50 && d[o + 4] === 0x2f && d[o + 5] === 0x31 && d[o + 6] === 0x2e;
}

/** True when the payload opens with an HTTP/1.x request or status line. */
export function isHttpStart(d: Uint8Array, start: number, end: number): boolean {
  if (startsWithHttpVersion(d, start, end)) return true;
  const first = d[start] ?? 0;
  if (first < 0x41 || first > 0x5a) return false;
  const stop = Math.min(end, start + 8);
  for (let i = start + 1; i < stop; i++) {
    const b = d[i] ?? 0;
    if (b === 0x20) return HTTP_METHODS.has(asciiText(d, start, i));
    if (b < 0x41 || b > 0x5a) return false;
  }
  return false;
}

export function decodeHttp(d: Uint8Array, start: number, end: number, layers: Layers): AppResult | undefined {
  if (!isHttpStart(d, start, end)) return undefined;
  const firstEnd = lineEnd(d, start, end);
  const info = asciiText(d, start, firstEnd);
  if (layers) {
    const layer = pushLayer(layers, 'Hypertext Transfer Protocol', start, end - start);
    field(layer, startsWithHttpVersion(d, start, end) ? 'Status line' : 'Request line', info, start, firstEnd - start);
    let pos = skipNewline(d, firstEnd, end);
    for (let n = 0; n < MAX_HEADER_LINES && pos < end; n++) {
      const e = lineEnd(d, pos, end);
      if (e === pos) {
        pos = skipNewline(d, pos, end);
        if (pos < end) field(layer, 'Body', `${end - pos} bytes`, pos, end - pos);
        break;
      }
      const text = asciiText(d, pos, e);
      const colon = text.indexOf(':');
      field(layer, colon > 0 ? text.slice(0, colon) : 'Header', colon > 0 ? text.slice(colon + 1).trim() : text, pos, e - pos);
      pos = skipNewline(d, e, end);
    }
  }
  return { protocol: 'HTTP', info };
}

function skipNewline(d: Uint8Array, pos: number, end: number): number {
  if (pos < end && d[pos] === 0x0d) pos++;
  if (pos < end && d[pos] === 0x0a) pos++;
  return pos;
}

const TLS_CONTENT_TYPES: Readonly<Record<number, string>> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};
const TLS_HANDSHAKE_TYPES: Readonly<Record<number, string>> = {
  0: 'Hello Request', 1: 'Client Hello', 2: 'Server Hello', 4: 'New Session Ticket', 8: 'Encrypted Extensions',
  11: 'Certificate', 12: 'Server Key Exchange', 13: 'Certificate Request', 14: 'Server Hello Done',
  15: 'Certificate Verify', 16: 'Client Key Exchange', 20: 'Finished',
};
const MAX_TLS_RECORDS = 16;

/** True when a TLS record header opens at `o`. */
export function isTlsRecordStart(d: Uint8Array, o: number, end: number): boolean {
  const type = d[o] ?? 0;
  return o + 5 <= end && type >= 20 && type <= 24 && d[o + 1] === 3 && (d[o + 2] ?? 9) <= 4;
}

/** Where the last server name found lies in the frame, for the detail view's highlighting. */
let serverNameOffset = 0;
let serverNameLength = 0;

/** The server_name of a ClientHello whose handshake message starts at `hs`, if any. */
export function clientHelloServerName(d: Uint8Array, hs: number, end: number): string | undefined {
  let p = hs + 4 + 2 + 32; // type+length, client_version, random
  if (p + 1 > end) return undefined;
  p += 1 + u8(d, p); // session id
  if (p + 2 > end) return undefined;
  p += 2 + u16(d, p); // cipher suites
  if (p + 1 > end) return undefined;
  p += 1 + u8(d, p); // compression methods
  if (p + 2 > end) return undefined;
  const extensionsEnd = Math.min(end, p + 2 + u16(d, p));
  p += 2;
  for (let n = 0; n < 64 && p + 4 <= extensionsEnd; n++) {
    const type = u16(d, p);
    const length = u16(d, p + 2);
    const body = p + 4;
    if (type === 0 && body + 5 <= extensionsEnd) {
      // server_name_list: u16 list length, then entries of u8 type (0 = host_name), u16 length, name.
      const nameLength = u16(d, body + 3);
      if (u8(d, body + 2) !== 0 || body + 5 + nameLength > extensionsEnd) return undefined;
      serverNameOffset = body + 5;
      serverNameLength = nameLength;
      return asciiText(d, body + 5, body + 5 + nameLength);
    }
    p = body + length;
  }
  return undefined;
}

/** Names the TLS records in the payload ("Client Hello (SNI=example.test)", "Application Data"...). */
export function decodeTls(d: Uint8Array, start: number, end: number, layers: Layers): AppResult | undefined {
  if (!isTlsRecordStart(d, start, end)) return undefined;
  let info = '';
  let p = start;
  let encrypted = false;
  for (let n = 0; n < MAX_TLS_RECORDS && isTlsRecordStart(d, p, end); n++) {
    const type = u8(d, p);
    const length = u16(d, p + 3);
    const body = p + 5;
    const bodyEnd = Math.min(end, body + length);
    let name = TLS_CONTENT_TYPES[type] ?? `Content type ${type}`;
    let serverName: string | undefined;
    if (type === 22) {
      const hsType = u8(d, body);
      const known = TLS_HANDSHAKE_TYPES[hsType];
      if (encrypted || !known || body + 4 > bodyEnd) {
        name = 'Encrypted Handshake Message';
      } else {
        name = known;
        if (hsType === 1) {
          serverName = clientHelloServerName(d, body, bodyEnd);
          if (serverName !== undefined) name = `Client Hello (SNI=${serverName})`;
        }
      }
    } else if (type === 20) {
      encrypted = true;
    }
    info += info ? `, ${name}` : name;
    if (layers) {
      const layer = pushLayer(layers, 'Transport Layer Security', p, bodyEnd - p);
      field(layer, 'Content Type', `${TLS_CONTENT_TYPES[type] ?? 'Unknown'} (${type})`, p, 1);
      field(layer, 'Version', `0x03${(d[p + 2] ?? 0).toString(16).padStart(2, '0')}`, p + 1, 2);
      field(layer, 'Length', String(length), p + 3, 2);
      if (type === 22) field(layer, 'Handshake', name, body, bodyEnd - body);
      if (serverName !== undefined) field(layer, 'Server Name', serverName, serverNameOffset, serverNameLength);
    }
    if (body + length > end) break; // continues in the next segment
    p = body + length;
  }
  return { protocol: 'TLS', info };
}
