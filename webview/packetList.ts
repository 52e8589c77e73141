/**
 * The virtualized packet list. Only the rows in view (plus a few above and
 * below) exist in the DOM; they are recycled and placed with translateY inside
 * a sticky layer. Browsers cap an element's height (Chromium at ~33.5 M px,
 * about 1.5 M rows of 22 px), so the scrollbar's range is capped too and
 * mapped linearly onto the rows: a million rows or ten scroll the same way.
 *
 * What a frame of scrolling costs (bench 3 counts dropped frames): a row keeps
 * its packet while that packet stays in view (row i lives in pool slot
 * i % pool size), so a scroll of a few rows refills only the rows that came
 * into view; the rows sit at fixed offsets in a window layer of their own
 * (`will-change: transform`), and a scroll moves that one layer, which the
 * compositor does without repainting the rows that did not change.
 */
import { el } from './dom';
import { PacketListHeader, type ListColumn } from './packetListHeader';
import { setSectionContext, setVsCodeContext } from './vscodeContext';

export type { ListColumn } from './packetListHeader';

/** What the list shows: `length` rows, each identified by its packet number. */
export interface ListSource {
  count(): number;
  numberAt(index: number): number;
  /** Index of a packet number, -1 when not shown. */
  indexOf(packetNumber: number): number;
  /** Index of the first row at or after a packet number. */
  indexAtOrAfter(packetNumber: number): number;
  /** Writes a row's cell texts (and titles). */
  fillRow(cells: HTMLElement[], packetNumber: number): void;
  /** Marked rows (Mark/Unmark Packet) are highlighted. */
  isMarked(packetNumber: number): boolean;
}

const ROW_HEIGHT = 22;
const OVERSCAN = 6;
/** How far (in rows) the first row may move from the window's origin before the rows are placed anew. */
const REBASE_ROWS = 2000;
/** Well under every browser's element height limit. */
const MAX_SCROLL_HEIGHT = 8_000_000;

interface PooledRow {
  element: HTMLElement;
  cells: HTMLElement[];
  /** Packet number shown, 0 when the row is unused. */
  number: number;
  /** Row index it is placed at (relative to the window's base), -1 when unused. */
  index: number;
  base: number;
  /** Bumped to force a refill (hostnames changed, cleared...). */
  generation: number;
}

export class PacketList {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly layer: HTMLElement;
  /** Holds the rows; moved as one layer by the compositor. */
  private readonly window: HTMLElement;
  /** Row index at the window's origin: rows are placed relative to it, so a scroll moves the window only. */
  private base = 0;
  private appliedWindowOffset = Number.NaN;
  private readonly spacer: HTMLElement;
  private readonly pool: PooledRow[] = [];
  private readonly header: PacketListHeader;
  /** The header row's element (its padding follows the scrollbar's width). */
  private readonly headerRow: HTMLElement;
  private virtualTop = 0;
  private viewportHeight = 0;
  private generation = 0;
  /**
   * The scroller position that matches `virtualTop`, as last applied or
   * adopted. A different position in the DOM is a user scroll whose event has
   * not arrived yet: it is adopted before anything repositions the list, so a
   * render (new packets, a counter update) never snaps the user back.
   */
  private appliedScrollTop = 0;
  private selected = 0;
  /** Follow new packets (autoscroll) until the user scrolls away. */
  private follow = true;

  constructor(
    private readonly columns: ListColumn[],
    private readonly source: ListSource,
    private readonly callbacks: { onSelect(packetNumber: number): void; onFollowChange(follow: boolean): void; onScrolled(): void },
  ) {
    this.header = new PacketListHeader(columns, () => {
      this.invalidate();
      this.render();
    });
    const header = this.header.element;
    this.headerRow = header;
    this.window = el('div', { class: 'list-window', role: 'rowgroup' });
    this.layer = el('div', { class: 'list-layer' }, this.window);
    this.spacer = el('div', { class: 'list-spacer', 'aria-hidden': 'true' });
    this.scroller = el('div', { class: 'list-scroller', tabindex: '0' }, this.layer, this.spacer);
    // The header sits outside the scroller (it must not scroll away vertically) and follows it sideways.
    const headerViewport = el('div', { class: 'list-header-viewport' }, header);
    this.element = el('div', { class: 'packet-list', role: 'grid', 'aria-label': 'Packets', 'aria-multiselectable': 'false' }, headerViewport, this.scroller);
    this.scroller.addEventListener('scroll', () => {
      headerViewport.scrollLeft = this.scroller.scrollLeft;
    });
    setSectionContext(this.element, 'packetList');
    this.element.style.setProperty('--row-height', `${ROW_HEIGHT}px`);
    this.header.attach(this.layer, this.element);

    this.scroller.addEventListener('scroll', () => this.onScroll());
    this.scroller.addEventListener('wheel', (e) => {
      if (e.deltaY < 0) this.setFollow(false);
    }, { passive: true });
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.layer.addEventListener('mousedown', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.list-row');
      const n = Number(row?.dataset.number ?? 0);
      if (n > 0) {
        // Picking a packet to read it (or to right-click it) stops the list from moving away.
        this.setFollow(false);
        this.select(n, false);
        this.scroller.focus({ preventScroll: true });
      }
    });
    new ResizeObserver(() => this.render()).observe(this.scroller);
  }

  /** Shows which column sorts the list, and which way (aria-sort, an arrow). */
  setSortIndicator(key: string | undefined, direction: 'ascending' | 'descending' | undefined): void {
    this.header.setSortIndicator(key, direction);
  }

  /** Context keys the header's menu entries depend on (the time format, name resolution). */
  setHeaderContext(context: Record<string, string | boolean>): void {
    this.header.setContext(context);
  }

  /** Hides or shows a column (by key); hidden columns give their room to the others. */
  setColumnHidden(key: string, hidden: boolean): void {
    this.header.setColumnHidden(key, hidden);
  }

  /** Makes a column part of the list or not, apart from the user's Hide Column (which it does not change). */
  setColumnAvailable(key: string, available: boolean): void {
    this.header.setColumnAvailable(key, available);
  }

  showAllColumns(): void {
    this.header.showAllColumns();
  }

  get hiddenColumns(): string[] {
    return this.header.hiddenColumns;
  }

  get selectedNumber(): number {
    return this.selected;
  }

  get following(): boolean {
    return this.follow;
  }

  /** Packet number of the first fully visible row (0 when empty). */
  get topNumber(): number {
    const index = Math.ceil(this.virtualTop / ROW_HEIGHT);
    return index < this.source.count() ? this.source.numberAt(index) : 0;
  }

  setFollow(follow: boolean): void {
    if (this.follow === follow) return;
    this.follow = follow;
    this.callbacks.onFollowChange(follow);
    if (follow) this.render();
  }

  /** Refills every visible row on the next render (e.g. names changed). */
  invalidate(): void {
    this.generation++;
  }

  select(packetNumber: number, reveal: boolean): void {
    const changed = packetNumber !== this.selected;
    this.selected = packetNumber;
    if (reveal) {
      const index = this.source.indexOf(packetNumber);
      if (index >= 0) this.revealIndex(index);
    }
    this.render();
    // Told after the rows are drawn: the list reads its layout (scroll position, sizes) while
    // rendering, and a detail pane rebuilt before that would make each read lay out the page.
    if (changed) this.callbacks.onSelect(packetNumber);
  }

  /** Scrolls so that the given packet (or the next one shown) is at the top. */
  scrollToNumber(packetNumber: number): void {
    this.setFollow(false);
    this.setVirtualTop(this.source.indexAtOrAfter(packetNumber) * ROW_HEIGHT);
    this.render();
  }

  focus(): void {
    this.scroller.focus();
  }

  render(): void {
    this.adoptUserScroll();
    // The header leaves room for the rows' vertical scrollbar, whatever its width, so columns line up.
    const gutter = `${this.scroller.offsetWidth - this.scroller.clientWidth}px`;
    if (this.headerRow.style.paddingRight !== gutter) this.headerRow.style.paddingRight = gutter;
    const total = this.source.count();
    this.viewportHeight = this.scroller.clientHeight;
    const contentHeight = total * ROW_HEIGHT;
    const scrollHeight = Math.min(contentHeight, MAX_SCROLL_HEIGHT);
    this.layer.style.height = `${this.viewportHeight}px`;
    this.spacer.style.height = `${Math.max(0, scrollHeight - this.viewportHeight)}px`;
    this.element.setAttribute('aria-rowcount', String(total + 1));

    if (this.follow) this.setVirtualTop(this.maxVirtualTop());
    else this.setVirtualTop(Math.min(this.virtualTop, this.maxVirtualTop()));

    const first = Math.max(0, Math.floor(this.virtualTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((this.virtualTop + this.viewportHeight) / ROW_HEIGHT) + OVERSCAN);
    const needed = last - first;
    while (this.pool.length < needed) this.pool.push(this.createRow());
    // Offsets stay small and exact: the window's origin follows the rows when they move far.
    if (first < this.base || first - this.base > REBASE_ROWS) this.base = first;
    const windowOffset = this.base * ROW_HEIGHT - this.virtualTop;
    if (windowOffset !== this.appliedWindowOffset) {
      this.window.style.transform = `translateY(${windowOffset}px)`;
      this.appliedWindowOffset = windowOffset;
    }
    const size = this.pool.length;
    for (let k = 0; k < size; k++) {
      const row = this.pool[k] as PooledRow;
      // The one index in [first, last) this slot holds, if any (needed <= size).
      const index = first + ((k - (first % size) + size) % size);
      if (index >= last) {
        if (row.number !== 0) {
          row.element.hidden = true;
          row.number = 0;
          row.index = -1;
          // A hidden row must not answer for the packet it showed (clicks, menus, tests).
          delete row.element.dataset.number;
          row.element.removeAttribute('data-vscode-context');
        }
        continue;
      }
      const n = this.source.numberAt(index);
      if (row.number !== n || row.generation !== this.generation) {
        this.source.fillRow(row.cells, n);
        if (row.number !== n) {
          row.element.dataset.number = String(n);
          setVsCodeContext(row.element, { webviewSection: 'packetRow', packet: n });
        }
        row.number = n;
        row.generation = this.generation;
        row.element.hidden = false;
      }
      const marked = this.source.isMarked(n);
      if (row.element.classList.contains('marked') !== marked) row.element.classList.toggle('marked', marked);
      if (row.index !== index || row.base !== this.base) {
        if (row.index !== index) row.element.setAttribute('aria-rowindex', String(index + 2));
        row.element.style.transform = `translateY(${(index - this.base) * ROW_HEIGHT}px)`;
        row.index = index;
        row.base = this.base;
      }
      const isSelected = n === this.selected;
      if (row.element.classList.contains('selected') !== isSelected) {
        row.element.classList.toggle('selected', isSelected);
        row.element.setAttribute('aria-selected', String(isSelected));
        if (isSelected) row.element.id = 'selected-packet-row';
        else row.element.removeAttribute('id');
      }
    }
    const selectedIndex = this.selected > 0 ? this.source.indexOf(this.selected) : -1;
    if (selectedIndex >= first && selectedIndex < last) {
      this.scroller.setAttribute('aria-activedescendant', 'selected-packet-row');
    } else {
      this.scroller.removeAttribute('aria-activedescendant');
    }
  }

  private createRow(): PooledRow {
    const element = el('div', { class: 'list-row', role: 'row', 'aria-selected': 'false' });
    const cells = this.columns.map((c) => {
      const cell = el('div', { class: `cell ${c.className}`, role: 'gridcell' });
      setVsCodeContext(cell, { column: c.key });
      return cell;
    });
    element.append(...cells);
    element.hidden = true;
    this.window.append(element);
    return { element, cells, number: 0, index: -1, base: 0, generation: -1 };
  }

  private maxVirtualTop(): number {
    return Math.max(0, this.source.count() * ROW_HEIGHT - this.viewportHeight);
  }

  private maxScrollTop(): number {
    return Math.max(0, Math.min(this.source.count() * ROW_HEIGHT, MAX_SCROLL_HEIGHT) - this.viewportHeight);
  }

  private setVirtualTop(top: number): void {
    const maxVirtual = this.maxVirtualTop();
    this.virtualTop = Math.max(0, Math.min(top, maxVirtual));
    const maxScroll = this.maxScrollTop();
    const scrollTop = maxVirtual === 0 ? 0 : Math.round((this.virtualTop / maxVirtual) * maxScroll);
    if (Math.abs(this.scroller.scrollTop - scrollTop) >= 1) this.scroller.scrollTop = scrollTop;
    // Read back: the browser may clamp what was asked.
    this.appliedScrollTop = this.scroller.scrollTop;
  }

  private onScroll(): void {
    // Our own scrolling (following new packets) is already applied and must not turn following off.
    if (!this.adoptUserScroll()) return;
    this.render();
    this.callbacks.onScrolled();
  }

  /** Takes the scroller's position as the user's when it is not the one we applied; true if it was. */
  private adoptUserScroll(): boolean {
    const scrollTop = this.scroller.scrollTop;
    if (Math.abs(scrollTop - this.appliedScrollTop) < 1) return false;
    this.appliedScrollTop = scrollTop;
    const maxScroll = this.maxScrollTop();
    const maxVirtual = this.maxVirtualTop();
    this.virtualTop = maxScroll === 0 ? 0 : (scrollTop / maxScroll) * maxVirtual;
    this.setFollow(maxScroll - scrollTop < 2);
    return true;
  }

  private revealIndex(index: number): void {
    const top = index * ROW_HEIGHT;
    if (top < this.virtualTop) this.setVirtualTop(top);
    else if (top + ROW_HEIGHT > this.virtualTop + this.viewportHeight) this.setVirtualTop(top + ROW_HEIGHT - this.viewportHeight);
  }

  private onKey(e: KeyboardEvent): void {
    const total = this.source.count();
    if (total === 0) return;
    const current = this.source.indexOf(this.selected);
    const page = Math.max(1, Math.floor(this.viewportHeight / ROW_HEIGHT) - 1);
    let target: number;
    switch (e.key) {
      case 'ArrowDown': target = current < 0 ? Math.floor(this.virtualTop / ROW_HEIGHT) : current + 1; break;
      case 'ArrowUp': target = current < 0 ? Math.floor(this.virtualTop / ROW_HEIGHT) : current - 1; break;
      case 'PageDown': target = (current < 0 ? 0 : current) + page; break;
      case 'PageUp': target = (current < 0 ? 0 : current) - page; break;
      case 'Home': target = 0; break;
      case 'End': target = total - 1; break;
      default: return;
    }
    e.preventDefault();
    target = Math.max(0, Math.min(total - 1, target));
    // Moving the selection anywhere but the last row means reading, not following.
    this.setFollow(target === total - 1 && e.key === 'End');
    this.select(this.source.numberAt(target), true);
  }
}
