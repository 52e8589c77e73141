/**
 * Conversations: every TCP and UDP conversation of the capture with its endpoints
 * (container names when known), packets and bytes each way, start, duration and TCP
 * state. Click a header to sort; click a row to show its packets (`tcp.stream == N`).
 */
import type { ConversationPage, ConversationSortKey } from '../src/core/stream/conversationOrder';
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
  /** The first `limit` conversations in this order (conversationOrder.ts), and how many there are. */
  ordered(key: ConversationSortKey, descending: boolean, limit: number): ConversationPage;
}

interface Column {
  title: string;
  key: ConversationSortKey;
  text: (c: Conversation) => string;
  numeric?: boolean;
}

export function showConversationsView(host: ConversationsHost): OverlayPanel {
  const endpoint = (address: string, port: number): string => `${host.displayAddress(address)}:${port}`;
  const columns: Column[] = [
    { title: 'Protocol', key: 'protocol', text: (c) => c.protocol.toUpperCase() },
    { title: 'Stream', key: 'stream', numeric: true, text: (c) => String(c.index) },
    { title: 'Address A', key: 'addressA', text: (c) => endpoint(c.addressA, c.portA) },
    { title: 'Address B', key: 'addressB', text: (c) => endpoint(c.addressB, c.portB) },
    { title: 'Packets', key: 'packets', numeric: true, text: (c) => formatCount(c.packetsAtoB + c.packetsBtoA) },
    { title: 'Bytes', key: 'bytes', numeric: true, text: (c) => formatBytes(c.bytesAtoB + c.bytesBtoA) },
    { title: 'A → B', key: 'bytesAtoB', numeric: true, text: (c) => `${formatCount(c.packetsAtoB)} / ${formatBytes(c.bytesAtoB)}` },
    { title: 'B → A', key: 'bytesBtoA', numeric: true, text: (c) => `${formatCount(c.packetsBtoA)} / ${formatBytes(c.bytesBtoA)}` },
    { title: 'Start', key: 'start', numeric: true, text: (c) => host.relative(c.firstTime).toFixed(6) },
    { title: 'Duration', key: 'duration', numeric: true, text: (c) => (c.lastTime - c.firstTime).toFixed(4) },
    { title: 'State', key: 'state', text: (c) => conversationState(c) },
  ];
  let sortColumn = 1;
  let descending = false;
  const orderedNow = (): ConversationPage => host.ordered(columns[sortColumn]?.key ?? 'stream', descending, MAX_ROWS);
  const first = orderedNow();
  const panel = new OverlayPanel('conversations-view', `Conversations (${formatCount(first.total)})`);
  const table = el('table', { class: 'conversations-table', id: 'conversations-table' });
  const render = (page: ConversationPage): void => {
    const head = el('tr', {}, ...columns.map((c, i) => {
      const th = el('th', { scope: 'col', class: c.numeric ? 'numeric' : '', 'aria-sort': i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none' }, c.title + (i === sortColumn ? (descending ? ' ▼' : ' ▲') : ''));
      th.addEventListener('click', () => {
        descending = i === sortColumn ? !descending : false;
        sortColumn = i;
        render(orderedNow());
      });
      return th;
    }));
    const rows = page.rows.map((conversation) => {
      const tr = el('tr', { tabindex: '0', title: `Show its packets: ${conversation.protocol}.stream == ${conversation.index}` },
        ...columns.map((c) => el('td', { class: c.numeric ? 'numeric' : '' }, c.text(conversation))));
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
    more.textContent = page.total > MAX_ROWS ? `Showing the first ${formatCount(MAX_ROWS)} of ${formatCount(page.total)} by this order; sort by another column, or filter the list.` : '';
  };
  const more = el('p', { class: 'overlay-empty', id: 'conversations-more' });
  render(first);
  panel.body.append(first.total > 0 ? table : el('p', { class: 'overlay-empty' }, 'No TCP or UDP conversations in the packets held.'), more);
  return panel;
}
