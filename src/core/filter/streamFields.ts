/**
 * The filter fields that need the whole capture read in order, not one packet alone:
 * `tcp.stream`, `udp.stream` and `tcp.analysis.retransmission`. Their values come from
 * a stream table (core/stream/streamTable.ts) the caller passes in the compile context;
 * without one, these fields are an error that says so rather than matching nothing.
 */
import { FilterSyntaxError } from './filterError';
import type { FilterNode } from './parser';
import type { PacketColumns } from '../packetStore';
import { numberValue, numericTest, type PacketPredicate } from './compile';

/** What a stream table answers; it reads packets appended since its last answer by itself. */
export interface StreamFieldSource {
  /** -1 when the packet is not TCP / UDP. */
  tcpStream(c: PacketColumns, slot: number, packetNumber: number): number;
  udpStream(c: PacketColumns, slot: number, packetNumber: number): number;
  isRetransmission(packetNumber: number): boolean;
}

const STREAM_NUMBER_FIELDS = new Set(['tcp.stream', 'udp.stream']);
const RETRANSMISSION = 'tcp.analysis.retransmission';

/** The predicate for a stream field's node, or undefined when the node is about another field. */
export function compileStreamField(node: FilterNode, streams: StreamFieldSource | undefined): PacketPredicate | undefined {
  const field = node.kind === 'bare' ? node.word : node.kind === 'compare' ? node.field : undefined;
  if (field === undefined || (!STREAM_NUMBER_FIELDS.has(field) && field !== RETRANSMISSION)) return undefined;
  const column = node.kind === 'bare' ? node.column : node.kind === 'compare' ? node.fieldColumn : 0;
  if (!streams) throw new FilterSyntaxError(`'${field}' needs the capture's streams, which are not available here (column ${column})`, column);
  if (field === RETRANSMISSION) {
    // Wireshark's analysis flags are present or absent; `== 1`-style comparisons are not theirs.
    if (node.kind !== 'bare') throw new FilterSyntaxError(`'${field}' is a flag: write it alone, or 'not ${field}' (column ${column})`, column);
    return (_c, _s, n) => streams.isRetransmission(n);
  }
  const read = field === 'tcp.stream'
    ? (c: PacketColumns, s: number, n: number): number => streams.tcpStream(c, s, n)
    : (c: PacketColumns, s: number, n: number): number => streams.udpStream(c, s, n);
  if (node.kind === 'bare') return (c, s, n) => read(c, s, n) >= 0;
  if (node.kind !== 'compare') return undefined;
  const test = numericTest(node.operator, numberValue(node.value, 0, 0x7fffffff, 'a stream number'));
  return (c, s, n) => {
    const stream = read(c, s, n);
    return stream >= 0 && test(stream);
  };
}
