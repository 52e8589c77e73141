/**
 * A small pure DNS message parser for the Info column and the detail view.
 *
 * Why not `dns-packet`: it needs Node's Buffer, which the webview bundle does not
 * have (esbuild does not polyfill it), it allocates a full object tree per message,
 * and it throws on malformed input. Reading the header, the questions and the
 * answer records takes ~150 lines here, never throws, and is fast enough for the
 * packet list.
 */
import { HEX_LOWER } from '../hex';
import { formatIPv4, formatIPv6, u16, u32, u8 } from './bytes';
import { field, pushLayer, type Layers } from './layers';

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV',
  35: 'NAPTR', 39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 52: 'TLSA',
  64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const OPCODE_NAMES: readonly string[] = ['Standard query', 'Inverse query', 'Server status request', 'Unknown operation (3)', 'Zone change notification', 'Dynamic update'];
const RCODE_NAMES: readonly string[] = ['No error', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused', 'Name exists', 'RRset exists', 'RRset does not exist', 'Not authoritative', 'Name out of zone'];
const CLASS_NAMES: Readonly<Record<number, string>> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };

/** At most this many records of a section are read: the Info line is one line. */
const MAX_RECORDS = 32;
const MAX_POINTER_JUMPS = 16;
const SECTION_NAMES = ['Answer', 'Authority', 'Additional'] as const;

export function dnsTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `Unknown (${type})`;
}

export interface DnsDecodeResult {
  info: string;
  /** Set when the message is cut short or its names are broken. */
  malformed?: string;
}

/** Where the last `readName` or `skipName` ended in the record stream (after a pointer, not at its target). */
let nameNext = 0;

/** Names longer than this (as shown) are refused as broken. */
const MAX_NAME_TEXT = 1024;
/** The shown text of the name being read: a label of 63 bytes shows as at most 252 characters. */
const nameChars = new Uint8Array(MAX_NAME_TEXT + 4 * 63 + 2);

/**
 * Walks a possibly compressed name starting at `pos` of the message that begins at
 * `msg`, writing its text as shown (printable ASCII kept, other bytes as `\xNN`, labels
 * joined by dots) into `nameChars`. Returns the text's length, or -1 when the name runs
 * out of bounds, loops, or grows past MAX_NAME_TEXT.
 */
function walkName(d: Uint8Array, msg: number, pos: number, end: number): number {
  let n = 0;
  let jumps = 0;
  let next = -1;
  let p = pos;
  for (;;) {
    if (p >= end) return -1;
    const length = u8(d, p);
    if (length === 0) {
      p += 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (p + 2 > end || ++jumps > MAX_POINTER_JUMPS) return -1;
      if (next < 0) next = p + 2;
      p = msg + (u16(d, p) & 0x3fff);
      continue;
    }
    if ((length & 0xc0) !== 0 || p + 1 + length > end) return -1;
    if (n > 0) nameChars[n++] = 0x2e;
    for (let i = p + 1; i <= p + length; i++) {
      const b = d[i]!;
      if (b >= 0x20 && b < 0x7f) {
        nameChars[n++] = b;
      } else {
        const hex = HEX_LOWER[b]!;
        nameChars[n] = 0x5c;
        nameChars[n + 1] = 0x78;
        nameChars[n + 2] = hex.charCodeAt(0);
        nameChars[n + 3] = hex.charCodeAt(1);
        n += 4;
      }
    }
    if (n > MAX_NAME_TEXT) return -1;
    p += 1 + length;
  }
  nameNext = next >= 0 ? next : p;
  return n;
}

/** Checks a name without making its text (the summary does not show record owners). */
function skipName(d: Uint8Array, msg: number, pos: number, end: number): boolean {
  return walkName(d, msg, pos, end) >= 0;
}

/**
 * The text of names read before, by a hash of their text, direct-mapped: a capture asks
 * for the same few names again and again, so a name read again costs its walk and a
 * comparison, not a new string.
 */
const NAME_SLOTS = 256;
const nameCacheText: string[] = new Array<string>(NAME_SLOTS).fill('');

/**
 * Reads a possibly compressed name starting at `pos` of the message that begins at
 * `msg`. Returns undefined when the name runs out of bounds or loops.
 */
function readName(d: Uint8Array, msg: number, pos: number, end: number): string | undefined {
  const n = walkName(d, msg, pos, end);
  if (n < 0) return undefined;
  if (n === 0) return '<Root>';
  let hash = n;
  for (let i = 0; i < n; i++) hash = Math.imul(hash ^ nameChars[i]!, 0x01000193);
  const slot = (hash >>> 24) & (NAME_SLOTS - 1);
  const cached = nameCacheText[slot]!;
  if (cached.length === n && sameChars(cached, n)) return cached;
  const text = String.fromCharCode.apply(null, nameChars.subarray(0, n) as unknown as number[]);
  nameCacheText[slot] = text;
  return text;
}

function sameChars(text: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) !== nameChars[i]) return false;
  return true;
}

/** RDATA as Wireshark's Info column shows it: the address or target name. */
function rdataText(d: Uint8Array, msg: number, type: number, o: number, length: number, end: number): string {
  switch (type) {
    case 1:
      return length === 4 ? formatIPv4(d, o) : '';
    case 28:
      return length === 16 ? formatIPv6(d, o) : '';
    case 2:
    case 5:
    case 12:
    case 39:
      return readName(d, msg, o, end) ?? '';
    case 15: {
      const exchange = readName(d, msg, o + 2, end);
      return exchange === undefined ? '' : `${u16(d, o)} ${exchange}`;
    }
    case 33: {
      const target = readName(d, msg, o + 6, end);
      return target === undefined ? '' : `${u16(d, o)} ${u16(d, o + 2)} ${u16(d, o + 4)} ${target}`;
    }
    case 6:
      return readName(d, msg, o, end) ?? '';
    default:
      return '';
  }
}

/** Decodes the DNS message in `d[start, end)`; with `layers`, adds a "DNS" layer. */
export function decodeDns(d: Uint8Array, start: number, end: number, layers: Layers): DnsDecodeResult {
  const stop = Math.min(end, d.length);
  if (stop - start < 12) {
    return { info: 'DNS (truncated header)', malformed: `DNS header truncated: ${Math.max(0, stop - start)} of 12 bytes` };
  }
  const id = u16(d, start);
  const flags = u16(d, start + 2);
  const isResponse = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  const questions = u16(d, start + 4);
  let info = `${OPCODE_NAMES[opcode] ?? `Unknown operation (${opcode})`}${isResponse ? ' response' : ''} 0x` + HEX_LOWER[id >> 8]! + HEX_LOWER[id & 0xff]!;
  if (isResponse && rcode !== 0) info += ` ${RCODE_NAMES[rcode] ?? `Unknown error (${rcode})`}`;

  const layer = layers ? pushLayer(layers, 'Domain Name System', start, stop - start) : undefined;
  if (layer) {
    field(layer, 'Transaction ID', `0x${id.toString(16).padStart(4, '0')}`, start, 2);
    field(layer, 'Flags', `0x${flags.toString(16).padStart(4, '0')} ${isResponse ? 'Response' : 'Query'}, ${OPCODE_NAMES[opcode] ?? `opcode ${opcode}`}${isResponse ? `, ${RCODE_NAMES[rcode] ?? `rcode ${rcode}`}` : ''}`, start + 2, 2);
    field(layer, 'Questions', String(questions), start + 4, 2);
    field(layer, 'Answer RRs', String(u16(d, start + 6)), start + 6, 2);
    field(layer, 'Authority RRs', String(u16(d, start + 8)), start + 8, 2);
    field(layer, 'Additional RRs', String(u16(d, start + 10)), start + 10, 2);
  }

  let p = start + 12;
  for (let q = 0; q < questions && q < MAX_RECORDS; q++) {
    const name = readName(d, start, p, stop);
    if (name === undefined || nameNext + 4 > stop) return { info, malformed: 'DNS question truncated or its name is invalid' };
    const type = u16(d, nameNext);
    const cls = u16(d, nameNext + 2);
    info += ` ${dnsTypeName(type)} ${name}`;
    if (layer) field(layer, 'Query', `${name}: type ${dnsTypeName(type)}, class ${CLASS_NAMES[cls] ?? cls}`, p, nameNext + 4 - p);
    p = nameNext + 4;
  }

  // Authority and additional records are read for summaries too, so both views agree on
  // whether the message is malformed.
  for (let section = 0; section < 3; section++) {
    const count = u16(d, start + 6 + section * 2);
    for (let r = 0; r < count && r < MAX_RECORDS; r++) {
      // The owner's name is shown only in the detail; the summary checks it without its text.
      const name = layer ? readName(d, start, p, stop) : skipName(d, start, p, stop) ? '' : undefined;
      if (name === undefined || nameNext + 10 > stop) return { info, malformed: 'DNS resource record truncated or its name is invalid' };
      const type = u16(d, nameNext);
      const cls = u16(d, nameNext + 2);
      const ttl = u32(d, nameNext + 4);
      const rdLength = u16(d, nameNext + 8);
      const rdata = nameNext + 10;
      if (rdata + rdLength > stop) return { info, malformed: `DNS record data truncated: ${rdLength} bytes announced` };
      // Authority and additional data are shown only in the detail.
      const text = section === 0 || layer ? rdataText(d, start, type, rdata, rdLength, stop) : '';
      // Like Wireshark: answers are listed in the Info column, other sections only in the detail.
      if (section === 0) info += text ? ` ${dnsTypeName(type)} ${text}` : ` ${dnsTypeName(type)}`;
      if (layer) {
        const value = type === 41
          ? `<Root>: type OPT, UDP payload size ${cls}`
          : `${name}: type ${dnsTypeName(type)}, class ${CLASS_NAMES[cls] ?? cls}, ttl ${ttl}${text ? `, ${text}` : ''}`;
        field(layer, SECTION_NAMES[section] ?? 'Record', value, p, rdata + rdLength - p);
      }
      p = rdata + rdLength;
    }
  }
  return { info };
}
