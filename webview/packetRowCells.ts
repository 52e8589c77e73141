/**
 * The packet list's columns and how one row's cells are written. Called for
 * every row that comes into view (scrolling a million rows, a live capture's
 * batches): it reads the store's columns in place and touches a cell only when
 * its text changed, with no per-row allocation beyond the texts themselves.
 */
import { CONTAINER_COLUMN, containerCells } from './containerColumn';
import type { InspectorState } from './inspectorState';
import { destinationAddress, protocolOf, sourceAddress, timeText } from './packetColumnValues';
import type { ListColumn } from './packetList';

export const COLUMNS: ListColumn[] = [
  { title: 'No.', width: '72px', className: 'col-number', key: 'number' },
  { title: 'Time', width: '120px', className: 'col-time', key: 'time', tooltip: 'Click to sort; right-click for the time format (since the first packet, since the previous one, time of day)' },
  CONTAINER_COLUMN,
  { title: 'Dir', width: '44px', className: 'col-direction', key: 'direction' },
  { title: 'Interface', width: '84px', className: 'col-interface', key: 'interface' },
  { title: 'Source', width: 'minmax(110px, 1fr)', className: 'col-source', key: 'source' },
  { title: 'Destination', width: 'minmax(110px, 1fr)', className: 'col-destination', key: 'destination' },
  { title: 'Protocol', width: '72px', className: 'col-protocol', key: 'protocol' },
  { title: 'Length', width: '60px', className: 'col-length', key: 'length' },
  { title: 'Info', width: 'minmax(160px, 3fr)', className: 'col-info', key: 'info' },
];

/** Writes packet `packetNumber`'s cells, in COLUMNS' order (blank when the store no longer has it). */
export function fillPacketRow(state: InspectorState, cells: HTMLElement[], packetNumber: number): void {
  const store = state.store;
  const row = store.rowOf(packetNumber);
  if (row < 0) {
    for (const cell of cells) cell.textContent = '';
    return;
  }
  const c = store.columns;
  const s = store.slot(row);
  const [number, time, container, direction, iface, source, destination, protocol, length, info] = cells;
  setText(number, String(packetNumber));
  setText(time, timeText(store, state.timeFormat, row));
  const interfaceName = c.interfaces.get(c.interfaceId[s] ?? 0);
  // A pcap file records neither (its interface name is empty): blank, not a guess.
  setText(direction, interfaceName === '' ? '' : c.direction[s] === 1 ? 'OUT' : 'IN');
  const where = containerCells(interfaceName);
  setText(container, where.container);
  if (container) container.title = where.title;
  setText(iface, where.iface);
  setAddress(state, source, sourceAddress(c, s));
  setAddress(state, destination, destinationAddress(c, s));
  const shown = state.tls.rowText(packetNumber, protocolOf(c, s), store.infoOf(row));
  setText(protocol, shown.protocol);
  setText(length, String(c.originalLength[s] ?? 0));
  setText(info, shown.info);
  info?.classList.toggle('tls-decrypted', shown.decrypted);
  if (info && (shown.title !== undefined || info.hasAttribute('title'))) info.title = shown.title ?? '';
  direction?.classList.toggle('out', c.direction[s] === 1);
}

/** Known containers show by name; the address stays one hover away. */
function setAddress(state: InspectorState, cell: HTMLElement | undefined, address: string): void {
  if (!cell) return;
  const name = state.resolveNames ? state.hostnames[address] : undefined;
  cell.textContent = name ?? address;
  cell.title = name ? `${address} (${name})` : address;
  cell.classList.toggle('named', name !== undefined);
}

function setText(cell: HTMLElement | undefined, text: string): void {
  if (cell && cell.textContent !== text) cell.textContent = text;
}
