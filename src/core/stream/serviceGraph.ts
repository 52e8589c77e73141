/**
 * The service map's model: who talks to whom in a packet store. Nodes are IP endpoints
 * (addresses; the view names them), edges are services: a client, a server, the transport
 * and the server's port (`tcp/80`), with the packets and bytes of every conversation
 * between them. Non-IP packets (ARP...) are not on the map.
 *
 * Which side is the server: for TCP the SYN's receiver (the stream table's side B when it
 * saw the handshake); otherwise the side with the lower port, since clients pick theirs
 * from the high ephemeral range. Other IP protocols (ICMP...) have no port: the first
 * sender is the client.
 *
 * Incremental like the stream table it reads: `update()` reads only the packets appended
 * since the last call and starts over when the store was cleared, so a live map pays for
 * each packet once.
 */
import { NetworkLayer } from '../filter/frameFields';
import type { PacketStore } from '../packetStore';
import { ConversationFlag, type StreamTable } from './streamTable';

const IP_TCP = 6;
const IP_UDP = 17;

export interface ServiceNode {
  address: string;
  packets: number;
  bytes: number;
  /** Multicast or broadcast: a group, not a host (the view can hide them). */
  group: boolean;
}

export interface ServiceEdge {
  /** Stable across updates: `transport|client|server|port`. */
  key: string;
  client: string;
  server: string;
  /** `tcp`, `udp`, or the lower-case protocol name of another IP protocol (`icmp`, `icmpv6`, `ip-47`). */
  transport: string;
  /** The server's port; -1 for a protocol without ports. */
  port: number;
  /** The most specific protocol the Protocol column showed on this edge (HTTP rather than TCP). */
  protocol: string;
  packets: number;
  bytes: number;
  /** TCP/UDP conversations (streams) on the edge; 0 for other protocols. */
  conversations: number;
}

const TRANSPORT_NAMES = new Set(['TCP', 'UDP', 'IPv4', 'IPv6', 'UNKNOWN', '']);

export class ServiceGraph {
  private readonly nodeMap = new Map<string, ServiceNode>();
  private readonly edgeMap = new Map<string, ServiceEdge>();
  /** Edge of each tcp.stream / udp.stream already seen. */
  private readonly streamEdges: [(ServiceEdge | undefined)[], (ServiceEdge | undefined)[]] = [[], []];
  /** The next packet number to read. */
  private next = 1;

  constructor(
    private readonly store: PacketStore,
    private readonly streams: StreamTable,
  ) {}

  get nodes(): ServiceNode[] {
    return [...this.nodeMap.values()];
  }

  get edges(): ServiceEdge[] {
    return [...this.edgeMap.values()];
  }

  /** Reads the packets appended since the last call; true when any was read. */
  update(): boolean {
    const store = this.store;
    const end = store.firstNumber + store.size;
    if (end < this.next) this.reset();
    // Packets dropped from memory before they were read are not on the map.
    this.next = Math.max(this.next, store.firstNumber);
    if (this.next >= end) return false;
    this.streams.update();
    for (let n = this.next; n < end; n++) this.read(n);
    this.next = end;
    return true;
  }

  private reset(): void {
    this.nodeMap.clear();
    this.edgeMap.clear();
    this.streamEdges[0].length = 0;
    this.streamEdges[1].length = 0;
    this.next = 1;
  }

  private read(n: number): void {
    const store = this.store;
    const c = store.columns;
    const s = store.slot(store.rowOf(n));
    const network = c.network[s];
    if (network !== NetworkLayer.IPV4 && network !== NetworkLayer.IPV6) return;
    const src = c.addresses.get(c.srcId[s] ?? 0);
    const dst = c.addresses.get(c.dstId[s] ?? 0);
    if (src === '' || dst === '') return;
    const ipProtocol = c.ipProtocol[s] ?? -1;
    const length = c.originalLength[s] ?? 0;
    const name = c.protocols.get(c.protocolId[s] ?? 0);
    const tcp = ipProtocol === IP_TCP;
    const stream = tcp ? this.streams.tcpStream(c, s, n) : ipProtocol === IP_UDP ? this.streams.udpStream(c, s, n) : -1;
    const edge = stream >= 0 ? this.streamEdge(tcp ? 0 : 1, stream) : this.protocolEdge(ipProtocol, name, src, dst);
    if (!edge) return;
    edge.packets++;
    edge.bytes += length;
    if (TRANSPORT_NAMES.has(edge.protocol) && !TRANSPORT_NAMES.has(name)) edge.protocol = name;
    this.count(src, length);
    if (dst !== src) this.count(dst, length);
  }

  private streamEdge(protocol: 0 | 1, index: number): ServiceEdge | undefined {
    const known = this.streamEdges[protocol][index];
    if (known) return known;
    const c = this.streams.conversation(protocol === 0 ? 'tcp' : 'udp', index);
    if (!c) return undefined;
    const handshakeSeen = c.protocol === 'tcp' && (c.flags & (ConversationFlag.SYN | ConversationFlag.SYN_ACK)) !== 0;
    const serverIsB = handshakeSeen || c.portB <= c.portA;
    const edge = serverIsB
      ? this.edge(c.protocol, c.addressA, c.addressB, c.portB, c.protocol.toUpperCase())
      : this.edge(c.protocol, c.addressB, c.addressA, c.portA, c.protocol.toUpperCase());
    edge.conversations++;
    this.streamEdges[protocol][index] = edge;
    return edge;
  }

  private protocolEdge(ipProtocol: number, name: string, src: string, dst: string): ServiceEdge {
    const transport = ipProtocol === 1 ? 'icmp' : ipProtocol === 58 ? 'icmpv6' : ipProtocol === IP_TCP ? 'tcp' : ipProtocol === IP_UDP ? 'udp' : `ip-${ipProtocol}`;
    // The reply of a request already seen belongs to the request's edge.
    return this.edgeMap.get(edgeKey(transport, dst, src, -1)) ?? this.edge(transport, src, dst, -1, name || transport.toUpperCase());
  }

  private edge(transport: string, client: string, server: string, port: number, protocol: string): ServiceEdge {
    const key = edgeKey(transport, client, server, port);
    let edge = this.edgeMap.get(key);
    if (!edge) {
      edge = { key, client, server, transport, port, protocol, packets: 0, bytes: 0, conversations: 0 };
      this.edgeMap.set(key, edge);
    }
    return edge;
  }

  private count(address: string, length: number): void {
    let node = this.nodeMap.get(address);
    if (!node) {
      node = { address, packets: 0, bytes: 0, group: isGroupAddress(address) };
      this.nodeMap.set(address, node);
    }
    node.packets++;
    node.bytes += length;
  }
}

function edgeKey(transport: string, client: string, server: string, port: number): string {
  return `${transport}|${client}|${server}|${port}`;
}

/** IPv4 multicast (224.0.0.0/4) and broadcast, IPv6 multicast (ff00::/8). */
export function isGroupAddress(address: string): boolean {
  if (address.includes(':')) return /^ff/i.test(address);
  const first = Number(address.split('.')[0]);
  return address === '255.255.255.255' || (first >= 224 && first <= 239);
}

/** What `tcp/80`, `udp/53` or `icmp` says about the edge's service. */
export function serviceLabel(edge: ServiceEdge): string {
  return edge.port >= 0 ? `${edge.transport}/${edge.port}` : edge.transport;
}

/** The display filter of a node's packets (`ipv6.addr` for IPv6, as Wireshark spells it). */
export function nodeFilter(address: string): string {
  return `${address.includes(':') ? 'ipv6' : 'ip'}.addr == ${address}`;
}

/** The display filter of an edge's packets: the pair, and the service's port or protocol. */
export function edgeFilter(edge: ServiceEdge): string {
  const pair = edge.client === edge.server ? nodeFilter(edge.client) : `${nodeFilter(edge.client)} && ${nodeFilter(edge.server)}`;
  if (edge.port >= 0) return `${pair} && ${edge.transport}.port == ${edge.port}`;
  if (edge.transport === 'icmp' || edge.transport === 'icmpv6') return `${pair} && ${edge.transport}`;
  return pair;
}
