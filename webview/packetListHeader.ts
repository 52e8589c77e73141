/**
 * The packet list's header row: the column titles, a click that sorts, the
 * drag handle on each right edge that sizes a column, the columns the user
 * hid (or that mean nothing for this capture), and the grid tracks the rows
 * share with it so cells line up under their titles.
 */
import { el } from './dom';
import { setVsCodeContext } from './vscodeContext';

export interface ListColumn {
  title: string;
  /** CSS grid track, e.g. `64px` or `minmax(120px, 1fr)`. */
  width: string;
  className: string;
  /** Names the column in the context menu's `column` key (what "Apply as Filter" filters on). */
  key: string;
  /** A click on the header calls this (e.g. the Time column switches its format). */
  onHeaderClick?: () => void;
  tooltip?: string;
}

/** The smallest a grid track gets: `72px` -> 72, `minmax(110px, 1fr)` -> 110. */
function minimumWidth(track: string): number {
  const px = /(\d+)px/.exec(track);
  return px ? Number(px[1]) : 0;
}

export class PacketListHeader {
  readonly element: HTMLElement;
  private readonly widths: string[];
  private readonly hidden = new Set<string>();
  /** Columns that mean nothing for this capture (the Container column of a one-container capture): never shown, not the user's choice. */
  private readonly unavailable = new Set<string>();
  /** The list's row layer and its outer element, which take the header's grid tracks. */
  private rows: { layer: HTMLElement; list: HTMLElement } | undefined;

  /** `clicked`: after a header's own click action (a sort), the list redraws. */
  constructor(
    private readonly columns: ListColumn[],
    clicked: () => void,
  ) {
    this.widths = columns.map((c) => c.width);
    const header = el('div', { class: 'list-header', role: 'row', 'aria-rowindex': '1' });
    this.element = header;
    for (const column of columns) {
      const cell = el('div', { class: `cell ${column.className}`, role: 'columnheader' }, column.title);
      setVsCodeContext(cell, { webviewSection: 'listHeader', column: column.key });
      if (column.tooltip) cell.title = column.tooltip;
      const onClick = column.onHeaderClick;
      if (onClick) {
        cell.classList.add('clickable');
        cell.addEventListener('click', () => {
          onClick();
          clicked();
        });
      }
      // Drag a header's right edge to size its column, as in Wireshark.
      const resizer = el('div', { class: 'col-resizer', 'aria-hidden': 'true' });
      resizer.addEventListener('click', (e) => e.stopPropagation());
      resizer.addEventListener('pointerdown', (down) => this.startResize(down, columns.indexOf(column), cell, resizer));
      cell.append(resizer);
      header.append(cell);
    }
  }

  /** The rows' layer and the list take the header's columns from now on. */
  attach(layer: HTMLElement, list: HTMLElement): void {
    this.rows = { layer, list };
    this.applyColumns();
  }

  /** Shows which column sorts the list, and which way (aria-sort, an arrow). */
  setSortIndicator(key: string | undefined, direction: 'ascending' | 'descending' | undefined): void {
    const cells = this.element.querySelectorAll<HTMLElement>('[role="columnheader"]');
    this.columns.forEach((c, i) => {
      const cell = cells[i];
      if (!cell) return;
      const sorted = key === c.key && direction !== undefined;
      if (sorted) cell.setAttribute('aria-sort', direction);
      else cell.removeAttribute('aria-sort');
      cell.classList.toggle('sorted-ascending', sorted && direction === 'ascending');
      cell.classList.toggle('sorted-descending', sorted && direction === 'descending');
    });
  }

  /** Context keys the header's menu entries depend on (the time format, name resolution). */
  setContext(context: Record<string, string | boolean>): void {
    this.element.dataset.vscodeContext = JSON.stringify(context);
  }

  /** Hides or shows a column (by key); hidden columns give their room to the others. */
  setColumnHidden(key: string, hidden: boolean): void {
    if (hidden) this.hidden.add(key);
    else this.hidden.delete(key);
    this.applyColumns();
  }

  /** Makes a column part of the list or not, apart from the user's Hide Column (which it does not change). */
  setColumnAvailable(key: string, available: boolean): void {
    if (available === !this.unavailable.has(key)) return;
    if (available) this.unavailable.delete(key);
    else this.unavailable.add(key);
    this.applyColumns();
  }

  showAllColumns(): void {
    this.hidden.clear();
    this.applyColumns();
  }

  get hiddenColumns(): string[] {
    return [...this.hidden];
  }

  /** The grid tracks of the visible columns, on the header and the rows alike. */
  private applyColumns(): void {
    if (!this.rows) return;
    const { layer, list } = this.rows;
    const off = (key: string): boolean => this.hidden.has(key) || this.unavailable.has(key);
    const shown = this.columns.map((c, i) => ({ c, width: this.widths[i] ?? c.width })).filter(({ c }) => !off(c.key));
    const template = shown.map((s) => s.width).join(' ');
    for (const target of [layer, this.element]) target.style.setProperty('--list-columns', template);
    // Narrower than this, the list scrolls sideways instead of cutting columns (Info last) off.
    list.style.setProperty('--list-min-width', `${shown.reduce((sum, s) => sum + minimumWidth(s.width), 0) + 12}px`);
    for (const c of this.columns) list.classList.toggle(`hide-${c.key}`, off(c.key));
  }

  private startResize(down: PointerEvent, index: number, cell: HTMLElement, handle: HTMLElement): void {
    if (down.button !== 0) return;
    down.preventDefault();
    down.stopPropagation();
    const startWidth = cell.getBoundingClientRect().width;
    handle.setPointerCapture(down.pointerId);
    const move = (e: PointerEvent): void => {
      const width = Math.max(24, Math.round(startWidth + e.clientX - down.clientX));
      // The last column (Info) keeps taking the rest of the row.
      this.widths[index] = index === this.columns.length - 1 ? `minmax(${width}px, 1fr)` : `${width}px`;
      this.applyColumns();
    };
    const up = (): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  }
}
