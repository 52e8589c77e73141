/**
 * Wireshark field names beyond the address/port/protocol core of compile.ts,
 * each with how to read it from a stored packet (packetFields.ts) and the
 * kind of value it compares with.
 */
import type { PacketColumns } from '../packetStore';
import {
  dnsQueryName, ethAddress, frameBytes, httpRequestMethod, httpRequestUri, httpResponseCode, payloadBytes, tcpFlags, tcpLength, tlsServerName, TCP_FLAG_BITS,
} from './packetFields';

export type FieldSpec =
  /** A number; -1 when the packet has no such field. */
  | { type: 'number'; read: (c: PacketColumns, s: number) => number }
  | { type: 'text'; read: (c: PacketColumns, s: number) => string | undefined }
  | { type: 'bytes'; read: (c: PacketColumns, s: number) => Uint8Array | undefined }
  /** One or more MAC addresses (eth.addr is either end). */
  | { type: 'mac'; reads: ((c: PacketColumns, s: number) => string | undefined)[] };

/** `dns` as the Protocol column shows it; compile.ts passes its own protocol test in. */
export function wiresharkFields(isDns: (c: PacketColumns, s: number) => boolean): Record<string, FieldSpec | undefined> {
  const fields: Record<string, FieldSpec | undefined> = {
    frame: { type: 'bytes', read: frameBytes },
    'frame.cap_len': { type: 'number', read: (c, s) => c.capturedLength[s] ?? 0 },
    'tcp.payload': { type: 'bytes', read: (c, s) => (c.ipProtocol[s] === 6 ? payloadBytes(c, s) : undefined) },
    'udp.payload': { type: 'bytes', read: (c, s) => (c.ipProtocol[s] === 17 ? payloadBytes(c, s) : undefined) },
    'tcp.len': { type: 'number', read: tcpLength },
    'tcp.flags': { type: 'number', read: tcpFlags },
    'http.request': { type: 'text', read: httpRequestMethod },
    'http.response': { type: 'number', read: httpResponseCode },
    'http.request.method': { type: 'text', read: httpRequestMethod },
    'http.request.uri': { type: 'text', read: httpRequestUri },
    'http.response.code': { type: 'number', read: httpResponseCode },
    'dns.qry.name': { type: 'text', read: (c, s) => dnsQueryName(c, s, isDns) },
    'tls.handshake.extensions_server_name': { type: 'text', read: tlsServerName },
    'eth.src': { type: 'mac', reads: [(c, s) => ethAddress(c, s, 6)] },
    'eth.dst': { type: 'mac', reads: [(c, s) => ethAddress(c, s, 0)] },
    'eth.addr': { type: 'mac', reads: [(c, s) => ethAddress(c, s, 6), (c, s) => ethAddress(c, s, 0)] },
  };
  for (const [name, bit] of Object.entries(TCP_FLAG_BITS)) {
    fields[`tcp.flags.${name}`] = {
      type: 'number',
      read: (c, s) => {
        const flags = tcpFlags(c, s);
        return flags < 0 ? -1 : (flags & bit) !== 0 ? 1 : 0;
      },
    };
  }
  fields['ssl.handshake.extensions_server_name'] = fields['tls.handshake.extensions_server_name'];
  return fields;
}

/** Every field name the language knows, with a line of help (autocomplete and the field list). */
export const FIELD_HELP: readonly (readonly [string, string])[] = [
  ['ip.addr', 'either address, IPv4 (CIDR allowed) or IPv6, or a container name'],
  ['ip.src', 'source address (IPv4 or IPv6)'],
  ['ip.dst', 'destination address (IPv4 or IPv6)'],
  ['eth.addr', 'either MAC address'],
  ['eth.src', 'source MAC address'],
  ['eth.dst', 'destination MAC address'],
  ['tcp.port', 'TCP source or destination port'],
  ['tcp.srcport', 'TCP source port'],
  ['tcp.dstport', 'TCP destination port'],
  ['udp.port', 'UDP source or destination port'],
  ['udp.srcport', 'UDP source port'],
  ['udp.dstport', 'UDP destination port'],
  ['tcp.len', 'TCP payload length'],
  ['tcp.flags', 'TCP flags as a number, e.g. 0x012'],
  ['tcp.flags.syn', 'SYN flag (0 or 1); also fin, reset, push, ack, urg, ece, cwr'],
  ['tcp.flags.ack', 'ACK flag (0 or 1)'],
  ['tcp.flags.fin', 'FIN flag (0 or 1)'],
  ['tcp.flags.reset', 'RST flag (0 or 1)'],
  ['tcp.flags.push', 'PSH flag (0 or 1)'],
  ['tcp.stream', 'TCP conversation number, as in Wireshark (tcp.stream == 0)'],
  ['udp.stream', 'UDP conversation number'],
  ['tcp.analysis.retransmission', 'TCP segments that resend data already sent'],
  ['tcp.payload', 'TCP payload bytes (contains, matches)'],
  ['udp.payload', 'UDP payload bytes (contains, matches)'],
  ['frame', 'the whole frame\'s bytes: frame contains "GET"'],
  ['frame.number', 'the No. column'],
  ['frame.len', 'length on the wire'],
  ['frame.cap_len', 'bytes captured'],
  ['http.request', 'HTTP requests (decrypted TLS too)'],
  ['http.response', 'HTTP responses (decrypted TLS too)'],
  ['http.request.method', 'GET, POST…'],
  ['http.request.uri', 'the request target, e.g. "/index.html"'],
  ['http.response.code', 'status code, e.g. 404'],
  ['http2.headers.method', 'HTTP/2 request method (decrypted TLS)'],
  ['http2.headers.path', 'HTTP/2 request path (decrypted TLS)'],
  ['http2.headers.status', 'HTTP/2 response status, e.g. 200 (decrypted TLS)'],
  ['http2.headers.authority', 'HTTP/2 :authority (decrypted TLS)'],
  ['http2.header.name', 'any HTTP/2 header name in the packet (decrypted TLS)'],
  ['http2.header.value', 'any HTTP/2 header value in the packet (decrypted TLS)'],
  ['http2.streamid', 'HTTP/2 stream identifier of a frame in the packet'],
  ['http2.type', 'HTTP/2 frame type: 0 DATA, 1 HEADERS, 4 SETTINGS…'],
  ['dns.qry.name', 'the queried name'],
  ['tls.handshake.extensions_server_name', 'server name (SNI) of a TLS ClientHello'],
  ['port', 'TCP or UDP port, either end'],
  ['host', 'a container name or address, either end'],
  ['dir', 'in or out, seen from the container'],
  ['iface', 'capture interface, e.g. eth0'],
  ['proto', 'the Protocol column, e.g. proto == dns'],
  ['info', 'the Info column (contains, matches)'],
  ['payload', 'TCP/UDP payload bytes (contains, matches)'],
  ['tcp', 'TCP packets (also udp, icmp, icmpv6, arp, ip, ipv6, dns, http, tls)'],
  ['udp', 'UDP packets'],
  ['dns', 'DNS packets'],
  ['http', 'HTTP packets (decrypted TLS too)'],
  ['http2', 'HTTP/2 packets (decrypted TLS)'],
  ['tls', 'TLS packets'],
];
