/**
 * What the list's columns show for a stored packet, as values and without the
 * DOM: the Time column in the chosen format, addresses (named or not), the
 * protocol before the decoder knows better, and each column's sort key. The
 * row renderer (packetRowCells.ts), the sort, Copy and the context menu read
 * the same values, so what is sorted or copied is what is shown.
 */
import { NetworkLayer } from '../src/core/filter/frameFields';
import type { PacketColumns, PacketStore } from '../src/core/packetStore';
import { CONTAINER_COLUMN_KEY, containerCells } from './containerCells';
import type { InspectorState, TimeFormat } from './inspectorState';
import { rowValues, type PacketRowValues } from './packetText';

/** The Time column in the chosen format (the header cycles through them, as Wireshark's View > Time Display Format). */
export function timeText(store: PacketStore, timeFormat: TimeFormat, row: number): string {
  switch (timeFormat) {
    case 'sincePrevious': return (row > 0 ? store.relativeTime(row) - store.relativeTime(row - 1) : 0).toFixed(6);
    case 'absolute': {
      const s = store.slot(row);
      const date = new Date((store.columns.tsSec[s] ?? 0) * 1000);
      const pad = (n: number): string => String(n).padStart(2, '0');
      return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${String(store.columns.tsUsec[s] ?? 0).padStart(6, '0')}`;
    }
    default: return store.relativeTime(row).toFixed(6);
  }
}

/** The captured source address of a stored slot (raw, before name resolution). */
export function sourceAddress(c: PacketColumns, s: number): string {
  return c.addresses.get(c.srcId[s] ?? 0) || ipv4Text(c.network[s], c.srcIpv4[s]);
}

export function destinationAddress(c: PacketColumns, s: number): string {
  return c.addresses.get(c.dstId[s] ?? 0) || ipv4Text(c.network[s], c.dstIpv4[s]);
}

/** The Protocol column of a stored slot. */
export function protocolOf(c: PacketColumns, s: number): string {
  return protocolText(c.protocols.get(c.protocolId[s] ?? 0), c.network[s] ?? 0, c.ipProtocol[s] ?? -1);
}

/** A packet's value in a column, as shown (numbers as numbers). */
export function sortValue(state: InspectorState, column: string, n: number): number | string {
  const store = state.store;
  const row = store.rowOf(n);
  if (row < 0) return n;
  const c = store.columns;
  const s = store.slot(row);
  switch (column) {
    case 'time': return state.timeFormat === 'sincePrevious' ? (row > 0 ? store.relativeTime(row) - store.relativeTime(row - 1) : 0) : store.relativeTime(row);
    case 'direction': return c.interfaces.get(c.interfaceId[s] ?? 0) === '' ? '' : c.direction[s] === 1 ? 'OUT' : 'IN';
    case 'interface': return containerCells(c.interfaces.get(c.interfaceId[s] ?? 0)).iface;
    case CONTAINER_COLUMN_KEY: return containerCells(c.interfaces.get(c.interfaceId[s] ?? 0)).container;
    case 'source': return state.displayAddress(sourceAddress(c, s));
    case 'destination': return state.displayAddress(destinationAddress(c, s));
    case 'protocol': return protocolOf(c, s);
    case 'length': return c.originalLength[s] ?? 0;
    case 'info': return store.infoOf(row);
    default: return n;
  }
}

/** A row's values for Copy and the context menu (undefined: not in the store). */
export function rowValuesOf(state: InspectorState, n: number): PacketRowValues | undefined {
  const store = state.store;
  const row = store.rowOf(n);
  if (row < 0) return undefined;
  return rowValues(store, n, timeText(store, state.timeFormat, row), protocolOf(store.columns, store.slot(row)));
}

function ipv4Text(network: number | undefined, ip: number | undefined): string {
  if (network !== NetworkLayer.IPV4 || ip === undefined) return '';
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** The decoder's protocol name; before it knows better, what the headers say. */
function protocolText(name: string, network: number, ipProtocol: number): string {
  if (name && name !== 'UNKNOWN') return name;
  if (ipProtocol === 6) return 'TCP';
  if (ipProtocol === 17) return 'UDP';
  if (ipProtocol === 1) return 'ICMP';
  if (ipProtocol === 58) return 'ICMPv6';
  if (network === NetworkLayer.ARP) return 'ARP';
  if (network === NetworkLayer.IPV6) return 'IPv6';
  if (network === NetworkLayer.IPV4) return 'IPv4';
  return name || 'UNKNOWN';
}
