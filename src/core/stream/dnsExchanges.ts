/**
 * DNS queries paired with their answers: a response pairs with the oldest unanswered
 * query of the same transaction ID on the same UDP conversation (Wireshark's
 * dns.response_in / dns.response_to). DNS over TCP is left out: its messages need the
 * stream reassembled first and are rare between containers.
 */
import { decodeDns } from '../decode/dns';
import type { PacketStore } from '../packetStore';
import type { StreamTable } from './streamTable';

export interface DnsExchange {
  /** udp.stream of the conversation. */
  stream: number;
  id: number;
  /** First question, e.g. "example.test" and "A". */
  name: string;
  type: string;
  queryPacket: number;
  responsePacket: number | undefined;
  /** The response as the Info column reads it ("Standard query response 0x1a2b A example.test A 192.0.2.1"). */
  answer: string | undefined;
  /** Response code name ("No error", "No such name"...), undefined without a response. */
  rcode: number | undefined;
  /** Seconds from query to response. */
  time: number | undefined;
}

const RCODE_TEXT = ['No error', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused'];

export function rcodeText(rcode: number): string {
  return RCODE_TEXT[rcode] ?? `rcode ${rcode}`;
}

export function dnsExchanges(store: PacketStore, table: StreamTable): DnsExchange[] {
  const c = store.columns;
  const dnsId = c.protocols.idOf('DNS');
  if (dnsId === undefined) return [];
  const exchanges: DnsExchange[] = [];
  const waiting = new Map<string, DnsExchange[]>();
  const queryTimes = new Map<DnsExchange, number>();
  for (let row = 0; row < store.size; row++) {
    const s = store.slot(row);
    if (c.protocolId[s] !== dnsId) continue;
    const n = store.numberOf(row);
    const stream = table.udpStream(c, s, n);
    if (stream < 0) continue;
    const frame = store.slotBytes(s);
    const start = c.payloadOffset[s] ?? 0;
    const end = start + (c.payloadLength[s] ?? 0);
    if (end - start < 12) continue;
    const id = ((frame[start] ?? 0) << 8) | (frame[start + 1] ?? 0);
    const response = ((frame[start + 2] ?? 0) & 0x80) !== 0;
    const key = `${stream} ${id}`;
    const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    const info = decodeDns(frame, start, end, undefined).info;
    if (!response) {
      // "Standard query 0x1a2b A example.test": the type and name follow the ID.
      const [, type = '', name = ''] = / 0x[0-9a-f]{4} (\S+) (\S+)/.exec(info) ?? [];
      const exchange: DnsExchange = { stream, id, name, type, queryPacket: n, responsePacket: undefined, answer: undefined, rcode: undefined, time: undefined };
      exchanges.push(exchange);
      queryTimes.set(exchange, time);
      const list = waiting.get(key);
      if (list) list.push(exchange);
      else waiting.set(key, [exchange]);
      continue;
    }
    const exchange = waiting.get(key)?.shift();
    if (!exchange) continue;
    exchange.responsePacket = n;
    exchange.answer = info;
    exchange.rcode = (frame[start + 3] ?? 0) & 0x0f;
    exchange.time = time - (queryTimes.get(exchange) ?? time);
  }
  return exchanges;
}
