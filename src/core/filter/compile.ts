/**
 * Turns a parsed filter into one closure over the packet store's columns.
 * Values are converted once here (IPv4 text to a number, protocol words to
 * layer tests, text to bytes), so evaluating a packet compares integers in
 * typed arrays; a million packets take tens of milliseconds.
 */
import { FilterSyntaxError } from './filterError';
import { NetworkLayer, parseIpv4, parseIpv6 } from './frameFields';
import { stringToBytes, stringToText } from './lexer';
import type { CompareOperator, FilterNode, ValueNode } from './parser';
import type { PacketColumns } from '../packetStore';
import { payloadBytes } from './packetFields';
import { compileDecryptedField, type DecryptedFieldSource } from './decryptedFields';
import { compileStreamField, type StreamFieldSource } from './streamFields';
import { wiresharkFields, type FieldSpec } from './wiresharkFields';

/** True when the packet in `slot` (numbered `packetNumber`, the "No." column) passes the filter. */
export type PacketPredicate = (columns: PacketColumns, slot: number, packetNumber: number) => boolean;

/** A test that needs only the packet's columns (most fields). */
type SlotTest = (columns: PacketColumns, slot: number) => boolean;

export interface CompileContext {
  /** Address -> container name, as in the `hostnames` message. */
  hostnames: Record<string, string>;
  /** tcp.stream, udp.stream, tcp.analysis.retransmission (streamFields.ts); absent: those fields are an error. */
  streams?: StreamFieldSource;
  /** Decrypted TLS by packet number (decryptedFields.ts); absent: http.* read the frame alone, http2.* match nothing. */
  decrypted?: DecryptedFieldSource;
}

const IP_TCP = 6;
const IP_UDP = 17;
const IP_ICMP = 1;
const IP_ICMPV6 = 58;

/** Protocol words a user may write alone; anything the decoder names also works with `proto ==`. */
export const PROTOCOL_WORDS = ['tcp', 'udp', 'dns', 'http', 'http2', 'tls', 'icmp', 'icmpv6', 'arp', 'ip', 'ipv4', 'ipv6'];

export function compileNode(node: FilterNode, context: CompileContext): PacketPredicate {
  switch (node.kind) {
    case 'and': {
      const left = compileNode(node.left, context);
      const right = compileNode(node.right, context);
      return (c, s, n) => left(c, s, n) && right(c, s, n);
    }
    case 'or': {
      const left = compileNode(node.left, context);
      const right = compileNode(node.right, context);
      return (c, s, n) => left(c, s, n) || right(c, s, n);
    }
    case 'not': {
      const operand = compileNode(node.operand, context);
      return (c, s, n) => !operand(c, s, n);
    }
    case 'bare':
      return compileStreamField(node, context.streams)
        ?? compileDecryptedField(node, context.decrypted, () => compileBare(node.word, node.column))
        ?? compileBare(node.word, node.column);
    case 'contains': {
      const frameTest = (): PacketPredicate => compileContains(node.field, node.fieldColumn, node.value);
      return compileDecryptedField(node, context.decrypted, frameTest) ?? frameTest();
    }
    case 'matches': {
      const frameTest = (): PacketPredicate => compileMatches(node.field, node.fieldColumn, node.value);
      return compileDecryptedField(node, context.decrypted, frameTest) ?? frameTest();
    }
    case 'compare': {
      const frameTest = (): PacketPredicate => compileCompare(node.field, node.fieldColumn, node.operator, node.operatorColumn, node.value, context);
      return compileStreamField(node, context.streams) ?? compileDecryptedField(node, context.decrypted, frameTest) ?? frameTest();
    }
    case 'in':
      return compileNode(desugarSet(node.field, node.fieldColumn, node.values), context);
  }
}

/** `f in {a b..c}` is `f == a || (f >= b && f <= c)`, whatever the field. */
function desugarSet(field: string, fieldColumn: number, values: ValueNode[]): FilterNode {
  const terms = values.map((value): FilterNode => {
    const compare = (operator: CompareOperator, text: string): FilterNode => ({ kind: 'compare', field, fieldColumn, operator, operatorColumn: value.column, value: { ...value, text } });
    const range = value.quoted ? undefined : /^([^.]+)\.\.([^.]+)$/.exec(value.text);
    if (range) return { kind: 'and', left: compare('>=', range[1] ?? ''), right: compare('<=', range[2] ?? '') };
    return compare('==', value.text);
  });
  return terms.reduce((left, right) => ({ kind: 'or', left, right }));
}

/** The extra Wireshark fields, built once (they only close over the DNS protocol test). */
const EXTRA_FIELDS = wiresharkFields((c, s) => protocolNameMatcherShared(c, s));
let dnsTest: SlotTest | undefined;
function protocolNameMatcherShared(c: PacketColumns, s: number): boolean {
  dnsTest ??= protocolNameMatcher('dns');
  return dnsTest(c, s);
}

function extraField(field: string): FieldSpec | undefined {
  return Object.prototype.hasOwnProperty.call(EXTRA_FIELDS, field) ? EXTRA_FIELDS[field] : undefined;
}

function isPresent(spec: FieldSpec): SlotTest {
  switch (spec.type) {
    case 'number': return (c, s) => spec.read(c, s) >= 0;
    case 'text':
    case 'bytes': return (c, s) => spec.read(c, s) !== undefined;
    case 'mac': return (c, s) => spec.reads.some((read) => read(c, s) !== undefined);
  }
}

function compileMatches(field: string, column: number, value: ValueNode): PacketPredicate {
  let regex: RegExp;
  try {
    // Wireshark's `matches` ignores case unless the pattern says (?-i); JS has no inline flags.
    regex = new RegExp(stringToText(value.text), 'i');
  } catch (error) {
    throw new FilterSyntaxError(`invalid regular expression at column ${value.column}: ${error instanceof Error ? error.message : String(error)}`, value.column);
  }
  const kind = FIELD_KINDS[field];
  if (kind === 'info') return (c, s) => regex.test(c.info(s));
  const spec: FieldSpec | undefined = kind === 'payload' ? { type: 'bytes', read: payloadBytes } : extraField(field);
  if (spec?.type === 'text') return (c, s) => {
    const text = spec.read(c, s);
    return text !== undefined && regex.test(text);
  };
  if (spec?.type === 'bytes') return (c, s) => {
    const bytes = spec.read(c, s);
    return bytes !== undefined && regex.test(latin1(bytes));
  };
  if (!spec && !kind) throw new FilterSyntaxError(`unknown field '${field}' at column ${column}`, column);
  throw new FilterSyntaxError(`'matches' works on text and bytes fields, not '${field}' (column ${column})`, column);
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return text;
}

function compileExtraCompare(field: string, spec: FieldSpec, operator: CompareOperator, operatorColumn: number, value: ValueNode): PacketPredicate {
  const equalityOnly = (): void => {
    if (operator !== '==' && operator !== '!=') throw new FilterSyntaxError(`'${field}' can only be compared with == or != (column ${operatorColumn})`, operatorColumn);
  };
  switch (spec.type) {
    case 'number': {
      const test = numericTest(operator, numberValue(value, 0, 0xffffffff, 'a number'));
      return (c, s) => {
        const n = spec.read(c, s);
        return n >= 0 && test(n);
      };
    }
    case 'text': {
      equalityOnly();
      const wanted = stringToText(value.text);
      const equal = operator === '==';
      return (c, s) => {
        const text = spec.read(c, s);
        return text !== undefined && (text === wanted) === equal;
      };
    }
    case 'mac': {
      equalityOnly();
      const wanted = value.text.toLowerCase().replace(/-/g, ':');
      if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(wanted)) throw new FilterSyntaxError(`'${value.text}' is not a MAC address like 02:42:ac:11:00:02 (column ${value.column})`, value.column);
      const any = (c: PacketColumns, s: number): boolean => spec.reads.some((read) => read(c, s) === wanted);
      if (operator === '==') return any;
      // Wireshark's `!=`: present, and no occurrence equal.
      return (c, s) => spec.reads.some((read) => read(c, s) !== undefined) && !any(c, s);
    }
    case 'bytes':
      throw new FilterSyntaxError(`use 'contains' or 'matches' with ${field}, e.g. ${field} contains "GET" (column ${operatorColumn})`, operatorColumn);
  }
}

function compileBare(word: string, column: number): PacketPredicate {
  if (word === 'in') return (c, s) => c.direction[s] === 0;
  if (word === 'out') return (c, s) => c.direction[s] === 1;
  if (PROTOCOL_WORDS.includes(word)) return protocolMatcher(word);
  const extra = extraField(word);
  if (extra) return isPresent(extra);
  if (FIELD_KINDS[word]) throw new FilterSyntaxError(`expected an operator (==, !=, <, >, contains...) after '${word}' at column ${column + word.length}`, column + word.length);
  throw new FilterSyntaxError(`unknown field or protocol '${word}' at column ${column}`, column);
}

type FieldKind = 'number' | 'address' | 'srcAddress' | 'dstAddress' | 'port' | 'srcPort' | 'dstPort' | 'tcpPort' | 'udpPort' | 'protocol' | 'direction' | 'interface' | 'length' | 'payload' | 'info';

const FIELD_KINDS: Record<string, FieldKind | undefined> = {
  'frame.number': 'number', no: 'number',
  'ip.addr': 'address', addr: 'address', host: 'address', 'ip.host': 'address', 'ipv6.addr': 'address',
  'ip.src': 'srcAddress', src: 'srcAddress', 'ipv6.src': 'srcAddress', 'src.host': 'srcAddress',
  'ip.dst': 'dstAddress', dst: 'dstAddress', 'ipv6.dst': 'dstAddress', 'dst.host': 'dstAddress',
  port: 'port',
  'tcp.port': 'tcpPort',
  'udp.port': 'udpPort',
  'src.port': 'srcPort', srcport: 'srcPort', 'tcp.srcport': 'srcPort', 'udp.srcport': 'srcPort',
  'dst.port': 'dstPort', dstport: 'dstPort', 'tcp.dstport': 'dstPort', 'udp.dstport': 'dstPort',
  proto: 'protocol', protocol: 'protocol',
  dir: 'direction', direction: 'direction',
  iface: 'interface', interface: 'interface',
  len: 'length', length: 'length', 'frame.len': 'length',
  payload: 'payload', data: 'payload',
  info: 'info',
};

function fieldKind(field: string, column: number): FieldKind {
  const kind = FIELD_KINDS[field];
  if (!kind) throw new FilterSyntaxError(`unknown field '${field}' at column ${column}`, column);
  return kind;
}

function compileContains(field: string, column: number, value: ValueNode): PacketPredicate {
  const extra = FIELD_KINDS[field] ? undefined : extraField(field);
  if (extra?.type === 'bytes') {
    const needle = stringToBytes(value.text);
    return (c, s) => {
      const bytes = extra.read(c, s);
      return bytes !== undefined && bytesContain(bytes, needle);
    };
  }
  if (extra?.type === 'text') {
    const needle = stringToText(value.text);
    return (c, s) => extra.read(c, s)?.includes(needle) === true;
  }
  if (extra) throw new FilterSyntaxError(`'contains' works on text and bytes fields, not '${field}' (column ${column})`, column);
  const kind = fieldKind(field, column);
  if (kind === 'payload') {
    const needle = stringToBytes(value.text);
    return (c, s) => payloadContains(c, s, needle);
  }
  if (kind === 'info') {
    const needle = stringToText(value.text).toLowerCase();
    return (c, s) => c.info(s).toLowerCase().includes(needle);
  }
  throw new FilterSyntaxError(`'contains' works on payload and info, not '${field}' (column ${column})`, column);
}

function compileCompare(
  field: string,
  fieldColumn: number,
  operator: CompareOperator,
  operatorColumn: number,
  value: ValueNode,
  context: CompileContext,
): PacketPredicate {
  const extra = FIELD_KINDS[field] ? undefined : extraField(field);
  if (extra) return compileExtraCompare(field, extra, operator, operatorColumn, value);
  const kind = fieldKind(field, fieldColumn);
  const equality = (): boolean => {
    if (operator !== '==' && operator !== '!=') {
      throw new FilterSyntaxError(`'${field}' can only be compared with == or != (column ${operatorColumn})`, operatorColumn);
    }
    return operator === '!=';
  };
  switch (kind) {
    case 'address':
    case 'srcAddress':
    case 'dstAddress': {
      const negate = equality();
      const match = addressMatcher(value, context, kind);
      return negate ? (c, s) => !match(c, s) : match;
    }
    case 'port':
    case 'tcpPort':
    case 'udpPort':
    case 'srcPort':
    case 'dstPort': {
      const port = numberValue(value, 0, 65535, 'a port number (0-65535)');
      const test = numericTest(operator, port);
      // tcp.srcport is TCP's alone (src.port is either transport's).
      const transport = kind === 'tcpPort' || field.startsWith('tcp.') ? IP_TCP : kind === 'udpPort' || field.startsWith('udp.') ? IP_UDP : -1;
      const onTransport = (c: PacketColumns, s: number): boolean => transport < 0 || c.ipProtocol[s] === transport;
      if (kind === 'srcPort') return (c, s) => (c.srcPort[s] ?? -1) >= 0 && onTransport(c, s) && test(c.srcPort[s] ?? 0);
      if (kind === 'dstPort') return (c, s) => (c.dstPort[s] ?? -1) >= 0 && onTransport(c, s) && test(c.dstPort[s] ?? 0);
      return (c, s) => {
        const src = c.srcPort[s] ?? -1;
        if (src < 0) return false;
        if (transport >= 0 && c.ipProtocol[s] !== transport) return false;
        return test(src) || test(c.dstPort[s] ?? 0);
      };
    }
    case 'number': {
      const test = numericTest(operator, numberValue(value, 0, 0xffffffff, 'a packet number'));
      return (_c, _s, n) => test(n);
    }
    case 'length': {
      const test = numericTest(operator, numberValue(value, 0, 0xffffffff, 'a length in bytes'));
      return (c, s) => test(c.originalLength[s] ?? 0);
    }
    case 'protocol': {
      const negate = equality();
      const match = protocolMatcher(value.text.toLowerCase());
      return negate ? (c, s) => !match(c, s) : match;
    }
    case 'direction': {
      const negate = equality();
      const word = value.text.toLowerCase();
      if (word !== 'in' && word !== 'out') throw new FilterSyntaxError(`direction is 'in' or 'out', not '${value.text}' (column ${value.column})`, value.column);
      const wanted = word === 'out' ? 1 : 0;
      return (c, s) => (c.direction[s] === wanted) !== negate;
    }
    case 'interface': {
      const negate = equality();
      const name = value.text;
      return (c, s) => (c.interfaces.get(c.interfaceId[s] ?? 0) === name) !== negate;
    }
    case 'payload':
    case 'info':
      throw new FilterSyntaxError(`use 'contains' with ${field}, e.g. ${field} contains "text" (column ${operatorColumn})`, operatorColumn);
  }
}

export function numberValue(value: ValueNode, min: number, max: number, what: string): number {
  const text = value.text;
  const word = text.toLowerCase();
  const n = word === 'true' ? 1 : word === 'false' ? 0 : /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new FilterSyntaxError(`'${text}' is not ${what} (column ${value.column})`, value.column);
  return n;
}

export function numericTest(operator: CompareOperator, wanted: number): (n: number) => boolean {
  switch (operator) {
    case '==': return (n) => n === wanted;
    case '!=': return (n) => n !== wanted;
    case '<': return (n) => n < wanted;
    case '<=': return (n) => n <= wanted;
    case '>': return (n) => n > wanted;
    case '>=': return (n) => n >= wanted;
  }
}

/**
 * An address value: an IPv4 address or CIDR block (compared as numbers), an
 * IPv6 address (compared with the decoder's text), or a container name from
 * `hostnames` (all of its addresses).
 */
function addressMatcher(value: ValueNode, context: CompileContext, kind: 'address' | 'srcAddress' | 'dstAddress'): SlotTest {
  const ranges: { base: number; mask: number }[] = [];
  const v6: Uint8Array[] = [];
  const addOne = (text: string): boolean => {
    const [ip, bits] = text.split('/');
    const v4 = parseIpv4(ip ?? '');
    if (v4 !== undefined) {
      const prefix = bits === undefined ? 32 : /^\d+$/.test(bits) ? Number(bits) : -1;
      if (prefix < 0 || prefix > 32) return false;
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      ranges.push({ base: (v4 & mask) >>> 0, mask });
      return true;
    }
    const bytes = parseIpv6(text);
    if (bytes) v6.push(bytes);
    return bytes !== undefined;
  };
  if (!addOne(value.text)) {
    const wanted = value.text.toLowerCase().replace(/^\//, '');
    for (const [address, name] of Object.entries(context.hostnames)) {
      if (name.toLowerCase().replace(/^\//, '') === wanted) addOne(address);
    }
    if (ranges.length === 0 && v6.length === 0) {
      const names = [...new Set(Object.values(context.hostnames))].sort();
      const known = names.length ? ` (known: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})` : '';
      throw new FilterSyntaxError(`'${value.text}' is neither an IP address nor a known container name${known} (column ${value.column})`, value.column);
    }
  }
  const matchV4 = (ip: number): boolean => {
    for (const r of ranges) if (((ip & r.mask) >>> 0) === r.base) return true;
    return false;
  };
  // IPv6 addresses are compared in place, in the frame bytes (source at +8, destination at +24).
  const matchV6 = (c: PacketColumns, s: number, at: number): boolean => {
    const chunk = c.chunks[c.chunkIndex[s] ?? 0];
    if (!chunk) return (c.missingBytes(s), false);
    const start = (c.chunkOffset[s] ?? 0) + (c.networkOffset[s] ?? 0) + at;
    if (start + 16 > (c.chunkOffset[s] ?? 0) + (c.capturedLength[s] ?? 0)) return false;
    for (const wanted of v6) {
      let i = 0;
      while (i < 16 && chunk[start + i] === wanted[i]) i++;
      if (i === 16) return true;
    }
    return false;
  };
  const checkSrc = kind !== 'dstAddress';
  const checkDst = kind !== 'srcAddress';
  return (c, s) => {
    const network = c.network[s];
    if (network === NetworkLayer.IPV4) {
      if (ranges.length === 0) return false;
      return (checkSrc && matchV4(c.srcIpv4[s] ?? 0)) || (checkDst && matchV4(c.dstIpv4[s] ?? 0));
    }
    if (network !== NetworkLayer.IPV6 || v6.length === 0) return false;
    return (checkSrc && matchV6(c, s, 8)) || (checkDst && matchV6(c, s, 24));
  };
}

/**
 * A protocol word matches a packet that carries that layer anywhere (as in
 * Wireshark, `tcp` matches HTTP over TCP), or whose Protocol column says it.
 */
function protocolMatcher(word: string): SlotTest {
  const byName = protocolNameMatcher(word === 'ipv4' ? 'ip' : word);
  switch (word) {
    case 'tcp': return (c, s) => c.ipProtocol[s] === IP_TCP || byName(c, s);
    case 'udp': return (c, s) => c.ipProtocol[s] === IP_UDP || byName(c, s);
    case 'icmp': return (c, s) => (c.network[s] === NetworkLayer.IPV4 && c.ipProtocol[s] === IP_ICMP) || byName(c, s);
    case 'icmpv6': return (c, s) => (c.network[s] === NetworkLayer.IPV6 && c.ipProtocol[s] === IP_ICMPV6) || byName(c, s);
    case 'arp': return (c, s) => c.network[s] === NetworkLayer.ARP || byName(c, s);
    case 'ip':
    case 'ipv4': return (c, s) => c.network[s] === NetworkLayer.IPV4;
    case 'ipv6': return (c, s) => c.network[s] === NetworkLayer.IPV6;
    default: return byName;
  }
}

/** Compares the interned Protocol column; the per-id answer is cached as the name table grows. */
function protocolNameMatcher(word: string): SlotTest {
  let table: PacketColumns['protocols'] | undefined;
  let matches: boolean[] = [];
  const aliases = word === 'tls' ? ['tls', 'ssl', 'tlsv1', 'tlsv1.2', 'tlsv1.3'] : word === 'ip' ? ['ip', 'ipv4'] : [word];
  return (c, s) => {
    const id = c.protocolId[s] ?? 0;
    if (table !== c.protocols || id >= matches.length) {
      table = c.protocols;
      matches = table.values.map((name) => aliases.includes(name.toLowerCase()));
    }
    return matches[id] === true;
  };
}

function bytesContain(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  const first = needle[0] as number;
  for (let i = 0; i <= haystack.length - needle.length; i++) {
    if (haystack[i] !== first) continue;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

function payloadContains(c: PacketColumns, s: number, needle: Uint8Array): boolean {
  const length = c.payloadLength[s] ?? 0;
  if (needle.length === 0) return true;
  if (length < needle.length) return false;
  const chunk = c.chunks[c.chunkIndex[s] ?? 0];
  if (!chunk) return (c.missingBytes(s), false);
  const start = (c.chunkOffset[s] ?? 0) + (c.payloadOffset[s] ?? 0);
  const last = start + length - needle.length;
  const first = needle[0] as number;
  // A bounded scan: indexOf would run on past this packet into the rest of the chunk.
  for (let i = start; i <= last; i++) {
    if (chunk[i] !== first) continue;
    let j = 1;
    while (j < needle.length && chunk[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}
