/**
 * Conversations: every TCP and UDP conversation of the capture with its endpoints
 * (container names when known), packets and bytes each way, start, duration and TCP
 * state. Click a header to sort; click a row to show its packets (`tcp.stream == N`).
 *
 * Only the rows in view (and a margin) are in the document, between two spacer rows
 * that keep the scrollbar true: laying out and painting all 2,000 rows (22,000 cells)
 * took ~1 s of the renderer's time at each opening and each sort.
 */
import type { ConversationPage, ConversationSortKey } from '../src/core/stream/conversationOrder';
import { conversationState, type Conversation } from '../src/core/stream/streamTable';
import { el } from './dom';
import { formatBytes, formatCount } from './format';
import { OverlayPanel } from './overlayPanel';

/** Rows ordered and made objects at once: a scan can make a million conversations. */
const MAX_ROWS = 2000;
/** Rows drawn beyond the visible ones, above and below, so that a scroll step never shows an empty band. */
const OVERSCAN_ROWS = 20;
/** A row's height until one is measured, px. */
const FIRST_GUESS_ROW_PX = 21;

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
  /** Width, in `ch`: the table's layout is fixed, so columns keep their width as rows come and go. */
  width: number;
  numeric?: boolean;
}

export function showConversationsView(host: ConversationsHost): OverlayPanel {
  const endpoint = (address: string, port: number): string => `${host.displayAddress(address)}:${port}`;
  const columns: Column[] = [
    { title: 'Protocol', key: 'protocol', width: 8, text: (c) => c.protocol.toUpperCase() },
    { title: 'Stream', key: 'stream', width: 8, numeric: true, text: (c) => String(c.index) },
    { title: 'Address A', key: 'addressA', width: 24, text: (c) => endpoint(c.addressA, c.portA) },
    { title: 'Address B', key: 'addressB', width: 24, text: (c) => endpoint(c.addressB, c.portB) },
    { title: 'Packets', key: 'packets', width: 9, numeric: true, text: (c) => formatCount(c.packetsAtoB + c.packetsBtoA) },
    { title: 'Bytes', key: 'bytes', width: 10, numeric: true, text: (c) => formatBytes(c.bytesAtoB + c.bytesBtoA) },
    { title: 'A → B', key: 'bytesAtoB', width: 16, numeric: true, text: (c) => `${formatCount(c.packetsAtoB)} / ${formatBytes(c.bytesAtoB)}` },
    { title: 'B → A', key: 'bytesBtoA', width: 16, numeric: true, text: (c) => `${formatCount(c.packetsBtoA)} / ${formatBytes(c.bytesBtoA)}` },
    { title: 'Start', key: 'start', width: 12, numeric: true, text: (c) => host.relative(c.firstTime).toFixed(6) },
    { title: 'Duration', key: 'duration', width: 10, numeric: true, text: (c) => (c.lastTime - c.firstTime).toFixed(4) },
    { title: 'State', key: 'state', width: 11, text: (c) => conversationState(c) },
  ];
  let sortColumn = 1;
  let descending = false;
  const orderedNow = (): ConversationPage => host.ordered(columns[sortColumn]?.key ?? 'stream', descending, MAX_ROWS);
  const first = orderedNow();
  const panel = new OverlayPanel('conversations-view', `Conversations (${formatCount(first.total)})`);
  const scroller = panel.body;
  const table = el('table', { class: 'conversations-table', id: 'conversations-table' },
    el('colgroup', {}, ...columns.map((c) => {
      const col = el('col');
      // Through the CSSOM: the webview's policy refuses style attributes.
      col.style.width = `${c.width}ch`;
      return col;
    })));
  const thead = el('thead');
  const tbody = el('tbody');
  table.append(thead, tbody);
  const spacer = (): HTMLTableRowElement => el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: String(columns.length) }));
  const above = spacer();
  const below = spacer();
  let rows: Conversation[] = [];
  let rowPx = FIRST_GUESS_ROW_PX;
  let measured = false;
  let drawnFrom = -1;
  let drawnTo = -1;

  const rowOf = (conversation: Conversation): HTMLTableRowElement => {
    const tr = el('tr', { class: 'conversation-row', tabindex: '0', title: `Show its packets: ${conversation.protocol}.stream == ${conversation.index}` },
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
  };

  /** Draws the rows in view, and a margin; nothing when they are already drawn. */
  const drawWindow = (): void => {
    const top = tbody.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    const visible = Math.ceil(scroller.clientHeight / rowPx) + 1;
    const from = Math.max(0, Math.min(rows.length - visible, Math.floor((scroller.scrollTop - top) / rowPx)) - OVERSCAN_ROWS);
    const to = Math.min(rows.length, from + visible + 2 * OVERSCAN_ROWS);
    if (from === drawnFrom && to === drawnTo) return;
    drawnFrom = from;
    drawnTo = to;
    (above.firstChild as HTMLElement).style.height = `${from * rowPx}px`;
    (below.firstChild as HTMLElement).style.height = `${(rows.length - to) * rowPx}px`;
    tbody.replaceChildren(above, ...rows.slice(from, to).map(rowOf), below);
    if (!measured && to > from) {
      // The first drawn row gives the height of all (one line each, same font): the spacers then match.
      measured = true;
      const height = above.nextElementSibling?.getBoundingClientRect().height ?? 0;
      if (height > 0 && Math.abs(height - rowPx) > 0.5) {
        rowPx = height;
        drawnFrom = -1;
        drawWindow();
      }
    }
  };

  const render = (page: ConversationPage): void => {
    thead.replaceChildren(el('tr', {}, ...columns.map((c, i) => {
      const th = el('th', { scope: 'col', class: c.numeric ? 'numeric' : '', 'aria-sort': i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none' }, c.title + (i === sortColumn ? (descending ? ' ▼' : ' ▲') : ''));
      th.addEventListener('click', () => {
        descending = i === sortColumn ? !descending : false;
        sortColumn = i;
        render(orderedNow());
      });
      return th;
    })));
    rows = page.rows;
    drawnFrom = -1;
    scroller.scrollTop = 0;
    drawWindow();
    more.textContent = page.total > MAX_ROWS ? `Showing the first ${formatCount(MAX_ROWS)} of ${formatCount(page.total)} by this order; sort by another column, or filter the list.` : '';
  };
  const more = el('p', { class: 'overlay-empty', id: 'conversations-more' });
  panel.body.append(first.total > 0 ? table : el('p', { class: 'overlay-empty' }, 'No TCP or UDP conversations in the packets held.'), more);
  render(first);
  let pending = false;
  scroller.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawWindow();
    });
  }, { passive: true });
  return panel;
}
