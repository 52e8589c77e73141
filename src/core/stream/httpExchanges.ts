/**
 * HTTP/1.x exchanges: every request paired with its response, in one pass over the TCP
 * packets the store holds (reassembled, so a head or body split over segments, sent out
 * of order or retransmitted, reads as one message). Responses pair with requests in
 * order on their connection (HTTP/1.1 pipelining answers in order); interim 1xx
 * responses are skipped.
 */
import type { PacketStore } from '../packetStore';
import { HttpMessageParser, type HttpMessage } from './httpMessageParser';
import type { StreamTable } from './streamTable';
import { TcpReassembler } from './tcpReassembler';
import { TcpFlag, tcpSegmentOf } from './tcpSegment';
import { endpointText } from './followStream';
import { senderSide, type PlaintextOf } from './followTls';

export interface HttpExchange {
  /** tcp.stream of the connection. */
  stream: number;
  client: string;
  server: string;
  method: string;
  /** The request target as sent, e.g. "/index.html?q=1". */
  uri: string;
  /** The Host header, when sent. */
  host: string | undefined;
  /** Sent inside TLS and read from the decrypted data. */
  decrypted?: boolean;
  request: HttpMessage;
  response: HttpMessage | undefined;
  /** Status code, -1 without a response. */
  status: number;
  /** Seconds from the request's first packet to the response's first / last packet. */
  timeToFirstByte: number | undefined;
  timeToComplete: number | undefined;
}

interface Connection {
  stream: number;
  endpoints: readonly [string, string];
  parsers: [HttpMessageParser, HttpMessageParser];
  /** Requests still waiting for a response, oldest first. */
  waiting: HttpExchange[];
  /** Read from decrypted TLS: `stream` is the table's tcp.stream already. */
  decrypted: boolean;
}

/**
 * The exchanges of every TCP connection the store holds; the table must be up to date.
 * With `plaintextOf` (TLS decryption), HTTP/1.x inside decrypted TLS counts too: those
 * packets' decrypted data goes to parsers of its own, in packet order.
 */
export function httpExchanges(store: PacketStore, table: StreamTable, plaintextOf?: PlaintextOf): HttpExchange[] {
  const exchanges: HttpExchange[] = [];
  const connections = new Map<number, Connection>();
  /** By tcp.stream: HTTP read from decrypted TLS. */
  const decryptedConnections = new Map<number, Connection>();
  const c = store.columns;
  let time = 0;
  const connectionOf = (index: number, endpoints: readonly [string, string], decrypted = false): Connection => {
    const map = decrypted ? decryptedConnections : connections;
    let connection = map.get(index);
    if (!connection) {
      const made: Connection = { stream: index, endpoints, decrypted, parsers: [undefined, undefined] as unknown as [HttpMessageParser, HttpMessageParser], waiting: [] };
      made.parsers = [
        new HttpMessageParser((m) => onRequest(made, m)),
        new HttpMessageParser((m) => onResponse(made, m), (m) => isBodyless(made, m)),
      ];
      map.set(index, made);
      connection = made;
    }
    return connection;
  };
  const onRequest = (connection: Connection, m: HttpMessage): void => {
    const [method = '', uri = ''] = m.startLine.split(' ');
    const host = m.headers.find(([k]) => k.toLowerCase() === 'host')?.[1];
    const exchange: HttpExchange = {
      stream: connection.stream, client: connection.endpoints[0], server: connection.endpoints[1], method, uri, host, ...(connection.decrypted ? { decrypted: true } : {}),
      request: m, response: undefined, status: -1, timeToFirstByte: undefined, timeToComplete: undefined,
    };
    exchanges.push(exchange);
    connection.waiting.push(exchange);
  };
  const onResponse = (connection: Connection, m: HttpMessage): void => {
    const status = Number(m.startLine.split(' ')[1]);
    if (status >= 100 && status < 200) return;
    const exchange = connection.waiting.shift();
    if (!exchange) return;
    exchange.response = m;
    exchange.status = Number.isFinite(status) ? status : -1;
    exchange.timeToFirstByte = m.firstTime - exchange.request.firstTime;
    exchange.timeToComplete = m.lastTime - exchange.request.firstTime;
  };
  const isBodyless = (connection: Connection, m: HttpMessage): boolean => {
    const status = Number(m.startLine.split(' ')[1]);
    return (status >= 100 && status < 200) || status === 204 || status === 304 || connection.waiting[0]?.method === 'HEAD';
  };
  const reassembler = new TcpReassembler((data) => {
    const connection = connectionOf(data.stream.index, data.stream.endpoints);
    connection.parsers[data.side].push(data.bytes, data.gapBefore, data.frameIndex, time);
  });
  // The reassembler numbers streams itself; map its numbers to the table's tcp.stream.
  const tableIndex = new Map<number, number>();
  for (let row = 0; row < store.size; row++) {
    const s = store.slot(row);
    const n = store.numberOf(row);
    const stream = table.tcpStream(c, s, n);
    if (stream < 0) continue;
    const plaintext = plaintextOf?.(n);
    if (plaintext && plaintext.length > 0) {
      const conversation = table.conversation('tcp', stream);
      if (conversation) {
        const endpoints = [endpointText(conversation.addressA, conversation.portA), endpointText(conversation.addressB, conversation.portB)] as const;
        time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
        connectionOf(stream, endpoints, true).parsers[senderSide(store, s, endpoints[0])].push(plaintext, 0, n, time);
      }
    }
    const segment = tcpSegmentOf(store.slotBytes(s), c.linkType[s] ?? 0);
    if (!segment) continue;
    time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    const before = reassembler.streamCount;
    const own = reassembler.add(n, segment);
    if (reassembler.streamCount > before) tableIndex.set(own.index, stream);
    if (segment.flags & TcpFlag.FIN) {
      const side = own.endpoints[0] === endpointText(segment.src, segment.srcPort) ? 0 : 1;
      connections.get(own.index)?.parsers[side].noteFin(n, time);
    }
  }
  reassembler.flush();
  for (const connection of [...connections.values(), ...decryptedConnections.values()]) {
    connection.parsers[0].end();
    connection.parsers[1].end();
  }
  for (const exchange of exchanges) if (!exchange.decrypted) exchange.stream = tableIndex.get(exchange.stream) ?? exchange.stream;
  return exchanges.sort((a, b) => a.request.firstPacket - b.request.firstPacket);
}

