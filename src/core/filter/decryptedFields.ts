/**
 * Filter fields over decrypted TLS: `http.request.method`, `http.request.uri` and
 * `http.response.code` also match the HTTP/1.x message a packet's decrypted data starts
 * with, `http` and `http2` match packets whose decrypted data is that protocol, and the
 * `http2.*` fields read the HTTP/2 frames the packet completed (headers decoded with
 * HPACK by the host). The values come from a source the caller passes in the compile
 * context (the inspector's TLS decryptions, by packet number); without one the HTTP/1.x
 * fields read the frame alone and the HTTP/2 fields match nothing.
 *
 * A packet can carry several HTTP/2 frames, so these fields have several values: as in
 * Wireshark, `==`, `<`, `contains`, `matches` hold when one value does, `!=` when the
 * field is present and no value equals.
 */
import { isHttpStart } from '../decode/application';
import { MAGIC_TYPE } from '../http2/http2Frame';
import { FilterSyntaxError } from './filterError';
import { stringToText } from './lexer';
import type { FilterNode } from './parser';
import { numberValue, numericTest, type PacketPredicate } from './compile';

/** One HTTP/2 frame as the source gives it (core/http2/http2Frame.ts). */
export interface DecryptedHttp2Frame {
  type: number;
  streamId: number;
  flags: number;
  length: number;
  headers?: [string, string][];
}

/** What the TLS decryption knows about a packet, by packet number ("No."). */
export interface DecryptedFieldSource {
  /** The decrypted application data completed in the packet. */
  plaintext(packetNumber: number): Uint8Array | undefined;
  /** `HTTP` or `HTTP2` when the decrypted data was read as that protocol. */
  protocol(packetNumber: number): string | undefined;
  /** The HTTP/2 frames the packet completed. */
  http2(packetNumber: number): readonly DecryptedHttp2Frame[] | undefined;
}

type Values = (source: DecryptedFieldSource, n: number) => (string | number)[];
interface Field {
  type: 'text' | 'number';
  values: Values;
}

const NONE: (string | number)[] = [];

function firstLine(source: DecryptedFieldSource, n: number): string | undefined {
  const p = source.plaintext(n);
  if (!p || !isHttpStart(p, 0, p.length)) return undefined;
  let end = 0;
  const limit = Math.min(p.length, 2048);
  while (end < limit && p[end] !== 0x0d && p[end] !== 0x0a) end++;
  return String.fromCharCode(...p.subarray(0, end));
}

function requestPart(index: number): Values {
  return (source, n) => {
    const line = firstLine(source, n);
    const part = line && !line.startsWith('HTTP/') ? line.split(' ')[index] : undefined;
    return part === undefined ? NONE : [part];
  };
}

function frames(source: DecryptedFieldSource, n: number): readonly DecryptedHttp2Frame[] {
  return (source.http2(n) ?? []).filter((f) => f.type !== MAGIC_TYPE);
}

function headerValues(name: string): Values {
  return (source, n) => frames(source, n).flatMap((f) => (f.headers ?? []).filter(([k]) => k === name).map(([, v]) => v));
}

const responseCode: Values = (source, n) => {
  const line = firstLine(source, n);
  const code = line?.startsWith('HTTP/') ? line.split(' ')[1] ?? '' : '';
  return /^\d{3}$/.test(code) ? [Number(code)] : NONE;
};

const FIELDS: Readonly<Record<string, Field | undefined>> = {
  // Wireshark's flags: present on a request / a response.
  'http.request': { type: 'text', values: requestPart(0) },
  'http.response': { type: 'number', values: responseCode },
  'http.request.method': { type: 'text', values: requestPart(0) },
  'http.request.uri': { type: 'text', values: requestPart(1) },
  'http.response.code': { type: 'number', values: responseCode },
  'http2.type': { type: 'number', values: (source, n) => frames(source, n).map((f) => f.type) },
  'http2.streamid': { type: 'number', values: (source, n) => frames(source, n).map((f) => f.streamId) },
  'http2.flags': { type: 'number', values: (source, n) => frames(source, n).map((f) => f.flags) },
  'http2.length': { type: 'number', values: (source, n) => frames(source, n).map((f) => f.length) },
  'http2.header.name': { type: 'text', values: (source, n) => frames(source, n).flatMap((f) => (f.headers ?? []).map(([k]) => k)) },
  'http2.header.value': { type: 'text', values: (source, n) => frames(source, n).flatMap((f) => (f.headers ?? []).map(([, v]) => v)) },
  'http2.headers.method': { type: 'text', values: headerValues(':method') },
  'http2.headers.path': { type: 'text', values: headerValues(':path') },
  // A number in Wireshark (http2.headers.status == 200), unlike the other pseudo-headers.
  'http2.headers.status': { type: 'number', values: (source, n) => headerValues(':status')(source, n).map(Number).filter(Number.isInteger) },
  'http2.headers.authority': { type: 'text', values: headerValues(':authority') },
  'http2.headers.scheme': { type: 'text', values: headerValues(':scheme') },
};

/** Fields that exist without decryption too: their frame-based test is kept and or-ed. */
const FRAME_FIELDS = new Set(['http.request', 'http.response', 'http.request.method', 'http.request.uri', 'http.response.code']);

/** Protocol words a decrypted packet can add, with the protocol name the source gives. */
const PROTOCOLS: Readonly<Record<string, string | undefined>> = { http: 'HTTP', http2: 'HTTP2' };

const NEVER: PacketPredicate = () => false;

/**
 * The predicate for a node about a decrypted field or protocol, or undefined when the node
 * is about something else. `frameTest` compiles the node as if nothing were decrypted.
 */
export function compileDecryptedField(node: FilterNode, source: DecryptedFieldSource | undefined, frameTest: () => PacketPredicate): PacketPredicate | undefined {
  if (node.kind === 'compare' && (node.field === 'proto' || node.field === 'protocol')) {
    const name = PROTOCOLS[node.value.text.toLowerCase()];
    return name ? protocolTest(node.operator === '!=', name, source, frameTest) : undefined;
  }
  if (node.kind === 'bare') {
    const name = PROTOCOLS[node.word];
    if (name) return protocolTest(false, name, source, frameTest);
    // A field alone: present in the frame, or in the decrypted data.
    const field = FIELDS[node.word];
    if (!field) return undefined;
    const frame = FRAME_FIELDS.has(node.word) ? frameTest() : NEVER;
    if (!source) return frame;
    return (c, s, n) => frame(c, s, n) || field.values(source, n).length > 0;
  }
  if (node.kind !== 'compare' && node.kind !== 'contains' && node.kind !== 'matches') return undefined;
  const field = FIELDS[node.field];
  if (!field) return undefined;
  const frame = FRAME_FIELDS.has(node.field) ? frameTest() : NEVER;
  if (!source) return frame;
  const test = valueTest(node, field);
  const values = field.values;
  return (c, s, n) => frame(c, s, n) || test(values(source, n));
}

/** `http`, `proto == http2`: the frame's own protocol, or what the decrypted data was read as. */
function protocolTest(negate: boolean, name: string, source: DecryptedFieldSource | undefined, frameTest: () => PacketPredicate): PacketPredicate {
  const frame = frameTest();
  if (!source) return frame;
  if (negate) return (c, s, n) => frame(c, s, n) && source.protocol(n) !== name;
  return (c, s, n) => frame(c, s, n) || source.protocol(n) === name;
}

function valueTest(node: FilterNode & { kind: 'compare' | 'contains' | 'matches' }, field: Field): (values: (string | number)[]) => boolean {
  if (node.kind === 'contains') {
    if (field.type !== 'text') throw new FilterSyntaxError(`'contains' works on text and bytes fields, not '${node.field}' (column ${node.fieldColumn})`, node.fieldColumn);
    const needle = stringToText(node.value.text);
    return (values) => values.some((v) => String(v).includes(needle));
  }
  if (node.kind === 'matches') {
    if (field.type !== 'text') throw new FilterSyntaxError(`'matches' works on text and bytes fields, not '${node.field}' (column ${node.fieldColumn})`, node.fieldColumn);
    let regex: RegExp;
    try {
      regex = new RegExp(stringToText(node.value.text), 'i');
    } catch (error) {
      throw new FilterSyntaxError(`invalid regular expression at column ${node.value.column}: ${error instanceof Error ? error.message : String(error)}`, node.value.column);
    }
    return (values) => values.some((v) => regex.test(String(v)));
  }
  if (field.type === 'number') {
    const wanted = numberValue(node.value, 0, 0xffffffff, 'a number');
    if (node.operator === '!=') return (values) => values.length > 0 && !values.includes(wanted);
    const test = numericTest(node.operator, wanted);
    return (values) => values.some((v) => typeof v === 'number' && test(v));
  }
  if (node.operator !== '==' && node.operator !== '!=') throw new FilterSyntaxError(`'${node.field}' can only be compared with == or != (column ${node.operatorColumn})`, node.operatorColumn);
  const wanted = stringToText(node.value.text);
  if (node.operator === '!=') return (values) => values.length > 0 && !values.includes(wanted);
  return (values) => values.includes(wanted);
}
