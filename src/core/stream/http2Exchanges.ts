/**
 * HTTP/2 exchanges inside decrypted TLS: on each TCP stream, the client's HEADERS with
 * `:method` opens an exchange on its HTTP/2 stream, the server's HEADERS with `:status`
 * answers it (interim 1xx skipped), DATA frames count into each side's size, END_STREAM
 * completes a side. The frames come from the TLS decryption by packet number (headers
 * decoded there with HPACK); DATA payloads are not kept, so bodies show as sizes only.
 */
import type { DecryptedHttp2Frame } from '../filter/decryptedFields';
import { Http2FrameType } from '../http2/http2Frame';
import type { PacketStore } from '../packetStore';
import { endpointText } from './followStream';
import { senderSide } from './followTls';
import type { HttpExchange } from './httpExchanges';
import type { HttpMessage } from './httpMessageParser';
import type { StreamTable } from './streamTable';

export type Http2FramesOf = (packetNumber: number) => readonly DecryptedHttp2Frame[] | undefined;

const END_STREAM = 0x1;
const NO_BODY = new Uint8Array(0);

function message(startLine: string, headers: [string, string][], frame: DecryptedHttp2Frame, packet: number, time: number): HttpMessage {
  return {
    startLine, headers: headers.filter(([k]) => !k.startsWith(':')), size: frame.length, bodySize: 0, body: NO_BODY,
    firstPacket: packet, firstTime: time, lastPacket: packet, lastTime: time, complete: (frame.flags & END_STREAM) !== 0,
  };
}

function extend(m: HttpMessage, frame: DecryptedHttp2Frame, packet: number, time: number): void {
  m.size += frame.length;
  if (frame.type === Http2FrameType.data) m.bodySize += frame.length;
  m.lastPacket = packet;
  m.lastTime = time;
  if (frame.flags & END_STREAM) m.complete = true;
}

/** The exchanges of every HTTP/2 connection in the packets held; the table must be up to date. */
export function http2Exchanges(store: PacketStore, table: StreamTable, framesOf: Http2FramesOf): HttpExchange[] {
  const exchanges: HttpExchange[] = [];
  /** By `tcp.stream/h2 stream`. */
  const open = new Map<string, HttpExchange>();
  const c = store.columns;
  for (let row = 0; row < store.size; row++) {
    const n = store.numberOf(row);
    const frames = framesOf(n);
    if (!frames || frames.length === 0) continue;
    const s = store.slot(row);
    const stream = table.tcpStream(c, s, n);
    const conversation = stream < 0 ? undefined : table.conversation('tcp', stream);
    if (!conversation) continue;
    const client = endpointText(conversation.addressA, conversation.portA);
    const server = endpointText(conversation.addressB, conversation.portB);
    const fromClient = senderSide(store, s, client) === 0;
    const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    for (const frame of frames) {
      if (frame.streamId === 0 || (frame.type !== Http2FrameType.headers && frame.type !== Http2FrameType.data)) continue;
      const key = `${stream}/${frame.streamId}`;
      const headers = frame.headers ?? [];
      const value = (name: string): string | undefined => headers.find(([k]) => k === name)?.[1];
      const exchange = open.get(key);
      if (fromClient) {
        const method = value(':method');
        if (frame.type === Http2FrameType.headers && method !== undefined && !exchange) {
          const uri = value(':path') ?? '';
          const made: HttpExchange = {
            stream, client, server, method, uri, host: value(':authority'), decrypted: true,
            request: message(`${method} ${uri} HTTP/2`, headers, frame, n, time), response: undefined, status: -1,
            timeToFirstByte: undefined, timeToComplete: undefined,
          };
          exchanges.push(made);
          open.set(key, made);
        } else if (exchange) {
          extend(exchange.request, frame, n, time);
        }
        continue;
      }
      if (!exchange) continue;
      const status = value(':status');
      if (frame.type === Http2FrameType.headers && status !== undefined) {
        if (/^1\d\d$/.test(status)) continue;
        exchange.status = Number(status);
        exchange.response = message(`HTTP/2 ${status}`, headers, frame, n, time);
        exchange.timeToFirstByte = time - exchange.request.firstTime;
      } else if (exchange.response) {
        extend(exchange.response, frame, n, time);
        // Trailers carry headers too.
        if (frame.type === Http2FrameType.headers) exchange.response.headers.push(...headers.filter(([k]) => !k.startsWith(':')));
      }
      if (exchange.response?.complete) {
        exchange.timeToComplete = exchange.response.lastTime - exchange.request.firstTime;
        open.delete(key);
      }
    }
  }
  return exchanges;
}
