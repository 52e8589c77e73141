/**
 * Conversations: every TCP and UDP conversation of the capture with its endpoints
 * (container names when known), packets and bytes each way, start, duration and TCP
 * state. Click a header to sort; click a row to show its packets (`tcp.stream == N`).
 */
import { conversationState, type Conversation } from '../src/core/stream/streamTable';
import { el } from './dom';
import { formatBytes, formatCount } from './format';
import { OverlayPanel } from './overlayPanel';

/** Rows drawn at once: the table is not virtualized, and a scan can make a million conversations. */
const MAX_ROWS = 2000;

export interface ConversationsHost {
  displayAddress(address: string): string;
  /** Seconds of an absolute time since the first packet. */
  relative(time: number): number;
  filterStream(filter: string): void;
}

interface Column {
  title: string;
  value: (c: Conversation) => string | number;
  text?: (c: Conversation) => string;
  numeric?: boolean;
}

export function showConversationsView(conversations: Conversation[], host: ConversationsHost): OverlayPanel {
  const panel = new OverlayPanel('conversations-view', `Conversations (${formatCount(conversations.length)})`);
  const endpoint = (address: string, port: number): string => `${host.displayAddress(address)}:${port}`;
  const columns: Column[] = [
    { title: 'Protocol', value: (c) => c.protocol.toUpperCase() },
    { title: 'Stream', value: (c) => c.index, numeric: true },
    { title: 'Address A', value: (c) => endpoint(c.addressA, c.portA) },
    { title: 'Address B', value: (c) => endpoint(c.addressB, c.portB) },
    { title: 'Packets', value: (c) => c.packetsAtoB + c.packetsBtoA, numeric: true, text: (c) => formatCount(c.packetsAtoB + c.packetsBtoA) },
    { title: 'Bytes', value: (c) => c.bytesAtoB + c.bytesBtoA, numeric: true, text: (c) => formatBytes(c.bytesAtoB + c.bytesBtoA) },
    { title: 'A → B', value: (c) => c.bytesAtoB, numeric: true, text: (c) => `${formatCount(c.packetsAtoB)} / ${formatBytes(c.bytesAtoB)}` },
    { title: 'B → A', value: (c) => c.bytesBtoA, numeric: true, text: (c) => `${formatCount(c.packetsBtoA)} / ${formatBytes(c.bytesBtoA)}` },
    { title: 'Start', value: (c) => host.relative(c.firstTime), numeric: true, text: (c) => host.relative(c.firstTime).toFixed(6) },
    { title: 'Duration', value: (c) => c.lastTime - c.firstTime, numeric: true, text: (c) => (c.lastTime - c.firstTime).toFixed(4) },
    { title: 'State', value: (c) => conversationState(c) },
  ];
  let sortColumn = 1;
  let descending = false;
  const table = el('table', { class: 'conversations-table', id: 'conversations-table' });
  const render = (): void => {
    const column = columns[sortColumn] ?? columns[1];
    const sorted = [...conversations].sort((x, y) => {
      const a = column?.value(x) ?? 0;
      const b = column?.value(y) ?? 0;
      const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
      return (descending ? -order : order) || x.protocol.localeCompare(y.protocol) || x.index - y.index;
    });
    const head = el('tr', {}, ...columns.map((c, i) => {
      const th = el('th', { scope: 'col', class: c.numeric ? 'numeric' : '', 'aria-sort': i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none' }, c.title + (i === sortColumn ? (descending ? ' ▼' : ' ▲') : ''));
      th.addEventListener('click', () => {
        descending = i === sortColumn ? !descending : false;
        sortColumn = i;
        render();
      });
      return th;
    }));
    const rows = sorted.slice(0, MAX_ROWS).map((conversation) => {
      const tr = el('tr', { tabindex: '0', title: `Show its packets: ${conversation.protocol}.stream == ${conversation.index}` },
        ...columns.map((c) => el('td', { class: c.numeric ? 'numeric' : '' }, c.text ? c.text(conversation) : String(c.value(conversation)))));
      const open = (): void => {
        host.filterStream(`${conversation.protocol}.stream == ${conversation.index}`);
        panel.close();
      };
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') open();
      });
      return tr;
    });
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
    more.textContent = sorted.length > MAX_ROWS ? `Showing the first ${formatCount(MAX_ROWS)} of ${formatCount(sorted.length)} by this order; sort by another column, or filter the list.` : '';
  };
  const more = el('p', { class: 'overlay-empty', id: 'conversations-more' });
  render();
  panel.body.append(conversations.length > 0 ? table : el('p', { class: 'overlay-empty' }, 'No TCP or UDP conversations in the packets held.'), more);
  return panel;
}
