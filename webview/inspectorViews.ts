/**
 * What the inspector's controller asks of its renderers, without the DOM: the
 * packet list, the detail pane and the toolbar implement these (PacketList,
 * DetailPane, Toolbar), and a unit test can stand in for them.
 */
import type { StreamFieldSource } from '../src/core/filter/streamFields';
import type { FromWebviewMessage, SaveFormat, ToWebviewMessage } from '../src/protocol/webviewMessages';
import type { PacketDetail } from './packetDetail';

export type ContextActionMessage = Extract<ToWebviewMessage, { type: 'contextAction' }>;

/** The virtualized packet list (packetList.ts). */
export interface ListView {
  /** 0 when nothing is selected. */
  readonly selectedNumber: number;
  /** Scrolled to the newest packet as they arrive. */
  readonly following: boolean;
  /** The rows' contents or order changed: refill the rows on screen. */
  invalidate(): void;
  select(packetNumber: number, reveal: boolean): void;
  setFollow(follow: boolean): void;
  scrollToNumber(packetNumber: number): void;
  focus(): void;
  setSortIndicator(key: string | undefined, direction: 'ascending' | 'descending' | undefined): void;
  /** What the header's context menu shows checked (time format, name resolution). */
  setHeaderContext(context: Record<string, string | boolean>): void;
}

/** The layer tree and hex dump of the selected packet (detailPane.ts). */
export interface DetailView {
  show(packet: PacketDetail): void;
  showEmpty(): void;
}

/** The toolbar's filter box, notices and Save choice (toolbar.ts). */
export interface ToolbarView {
  showNotice(message: string): void;
  /** Undefined: the filter compiled. `applied`: the filter whose result the list still shows. */
  showFilterError(message: string | undefined, applied?: string): void;
  askWhatToSave(format: SaveFormat, all: number, shown: number, choose: (onlyShown: boolean) => void): void;
  /** The filter history (a committed filter is remembered). */
  readonly assist: { remember(text: string): void };
}

export interface InspectorViews {
  readonly list: ListView;
  readonly detail: DetailView;
  readonly toolbar: ToolbarView;
  /** Stream numbers for filters (streamViews.ts); they start over when the packets are cleared. */
  readonly streams: { readonly fieldSource: StreamFieldSource; reset(): void; keepUp(): void };
  post(message: FromWebviewMessage): void;
  /** Runs a context-menu entry (contextActions.ts; it needs every widget). */
  runAction(message: ContextActionMessage): void;
  /** Redraws on the next animation frame (once, however many changes come before it). */
  scheduleRender(): void;
  /** Keeps the UI state for a reload (vscodeApi.ts setState). */
  saveState(): void;
}
