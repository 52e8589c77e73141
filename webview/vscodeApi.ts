/**
 * The webview side of VS Code's messaging: `acquireVsCodeApi()` may be called
 * once per page; state saved with `setState` comes back after a reload.
 */
import type { FromWebviewMessage } from '../src/protocol/webviewMessages';

/** What the inspector restores after the webview is reloaded. */
export interface InspectorUiState {
  filterText: string;
  selectedNumber: number;
  autoscroll: boolean;
  /** Packet number at the top of the list when the user had scrolled away. */
  topNumber: number;
  /** Filters applied with Enter, newest first. */
  filterHistory: string[];
  /** What the Time column shows. */
  timeFormat: 'sinceStart' | 'sincePrevious' | 'absolute';
  /** Keys of the columns the user hid. */
  hiddenColumns: string[];
  /** The column the list is sorted by (a header click), absent: arrival order. */
  sort?: { column: string; direction: 'ascending' | 'descending' };
  /** Container names for known addresses (default), or the addresses themselves. */
  resolveNames: boolean;
  /**
   * How the capture ended, once it has: the host reads it back after a window
   * reload, so a capture that ended because its container stopped is not
   * relabelled "the window was reloaded".
   */
  endStatus?: EndStatus;
}

export interface EndStatus {
  state: 'ended' | 'error';
  message: string;
}

export interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): InspectorUiState | undefined;
  setState(state: InspectorUiState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function getVsCodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}

export function restoredState(api: VsCodeApi): InspectorUiState {
  const saved = api.getState();
  return {
    filterText: typeof saved?.filterText === 'string' ? saved.filterText : '',
    selectedNumber: typeof saved?.selectedNumber === 'number' ? saved.selectedNumber : 0,
    autoscroll: typeof saved?.autoscroll === 'boolean' ? saved.autoscroll : true,
    topNumber: typeof saved?.topNumber === 'number' ? saved.topNumber : 0,
    hiddenColumns: Array.isArray(saved?.hiddenColumns) ? saved.hiddenColumns.filter((k): k is string => typeof k === 'string') : [],
    timeFormat: saved?.timeFormat === 'sincePrevious' || saved?.timeFormat === 'absolute' ? saved.timeFormat : 'sinceStart',
    filterHistory: Array.isArray(saved?.filterHistory) ? saved.filterHistory.filter((h): h is string => typeof h === 'string').slice(0, 20) : [],
    ...(saved?.endStatus ? { endStatus: saved.endStatus } : {}),
    resolveNames: typeof saved?.resolveNames === 'boolean' ? saved.resolveNames : true,
    ...(saved?.sort && typeof saved.sort.column === 'string' && (saved.sort.direction === 'ascending' || saved.sort.direction === 'descending') ? { sort: { column: saved.sort.column, direction: saved.sort.direction } } : {}),
  };
}
