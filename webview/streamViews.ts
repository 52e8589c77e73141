/**
 * The inspector's conversation views: Follow Stream, Conversations, the HTTP/DNS
 * exchanges and the service map, over the stream table (streamTableFollower.ts keeps
 * it, and gives the filter its stream fields).
 */
import { dnsExchanges } from '../src/core/stream/dnsExchanges';
import { followStream } from '../src/core/stream/followStream';
import { followTlsStream } from '../src/core/stream/followTls';
import { http2Exchanges } from '../src/core/stream/http2Exchanges';
import { httpExchanges } from '../src/core/stream/httpExchanges';
import type { DecryptedHttp2Frame } from '../src/core/filter/decryptedFields';
import type { StreamTable } from '../src/core/stream/streamTable';
import type { StreamFieldSource } from '../src/core/filter/streamFields';
import type { PacketStore } from '../src/core/packetStore';
import { showConversationsView } from './conversationsView';
import { orderedConversations } from '../src/core/stream/conversationOrder';
import { showFollowView } from './followView';
import { showExchangesView } from './httpView';
import { showServiceMapView } from './serviceMapView';
import { StreamTableFollower } from './streamTableFollower';

export interface StreamViewsHost {
  store(): PacketStore;
  displayAddress(address: string): string;
  setFilter(filter: string): void;
  goToPacket(packet: number): void;
  saveBytes(name: string, bytes: Uint8Array): void;
  notice(message: string): void;
  /** The decrypted TLS application data a packet completed (Decrypt TLS with Key Log…). */
  plaintext(packet: number): Uint8Array | undefined;
  /** The decrypted HTTP/2 frames a packet completed. */
  http2(packet: number): readonly DecryptedHttp2Frame[] | undefined;
}

export class StreamViews {
  private readonly follower: StreamTableFollower;

  constructor(private readonly host: StreamViewsHost) {
    this.follower = new StreamTableFollower(() => host.store());
  }

  /** The stream fields for the filter's compile context. */
  get fieldSource(): StreamFieldSource {
    return this.follower.fieldSource;
  }

  /** Packets arrived: the stream table reads them in idle time. */
  keepUp(): void {
    this.follower.keepUp();
  }

  /** The store was cleared: stream numbers start over. */
  reset(): void {
    this.follower.reset();
  }

  /** The stream table of the current store, up to date. */
  streams(): StreamTable {
    return this.follower.upToDate();
  }

  /** Follow TCP/UDP Stream; `tls`: the TCP stream's decrypted data (Follow TLS Stream). */
  follow(packet: number, protocol: 'tcp' | 'udp' | 'tls'): void {
    const table = this.streams();
    const stream = table.streamOfPacket(packet);
    const transport = protocol === 'udp' ? 'udp' : 'tcp';
    if (!stream || stream.protocol !== transport) {
      this.host.notice(`Packet ${packet} is not ${transport.toUpperCase()}: nothing to follow`);
      return;
    }
    const followed = protocol === 'tls'
      ? followTlsStream(this.host.store(), table, stream.index, (n) => this.host.plaintext(n))
      : followStream(this.host.store(), table, protocol, stream.index);
    if (!followed) {
      this.host.notice(protocol === 'tls'
        ? `No decrypted TLS data in tcp.stream ${stream.index} (Decrypt TLS with Key Log… first, with this session's keys)`
        : `The packets of ${protocol}.stream ${stream.index} are no longer in memory`);
      return;
    }
    showFollowView(followed, {
      saveBytes: (name, bytes) => this.host.saveBytes(name, bytes),
      filterStream: (filter) => this.host.setFilter(filter),
    });
  }

  showConversations(): void {
    const table = this.streams();
    const store = this.host.store();
    const first = store.size > 0 ? (store.columns.tsSec[store.slot(0)] ?? 0) + (store.columns.tsUsec[store.slot(0)] ?? 0) / 1e6 - store.relativeTime(0) : 0;
    const displayAddress = (a: string): string => this.host.displayAddress(a);
    showConversationsView({
      displayAddress,
      relative: (time) => time - first,
      filterStream: (filter) => this.host.setFilter(filter),
      ordered: (key, descending, limit) => orderedConversations(table, key, descending, limit, displayAddress),
    });
  }

  showExchanges(): void {
    const table = this.streams();
    const store = this.host.store();
    const http = [...httpExchanges(store, table, (n) => this.host.plaintext(n)), ...http2Exchanges(store, table, (n) => this.host.http2(n))]
      .sort((a, b) => a.request.firstPacket - b.request.firstPacket);
    showExchangesView(http, dnsExchanges(store, table), {
      displayEndpoint: (endpoint) => {
        const colon = endpoint.lastIndexOf(':');
        const address = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
        return `${this.host.displayAddress(address)}${endpoint.slice(colon)}`;
      },
      goToPacket: (packet) => this.host.goToPacket(packet),
    });
  }

  showServiceMap(): void {
    showServiceMapView({
      source: () => ({ store: this.host.store(), streams: this.follower.current() }),
      displayAddress: (a) => this.host.displayAddress(a),
      setFilter: (filter) => this.host.setFilter(filter),
    });
  }
}
