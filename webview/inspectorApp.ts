/**
 * The packet inspector's wiring: builds the renderers (toolbar, jump bar,
 * packet list, detail pane, status line, stream views), connects their events
 * to the controller (inspectorController.ts, which holds the state and handles
 * the host's messages) and draws the counters once per animation frame.
 */
import { nextSort } from '../src/core/sortPackets';
import type { ToWebviewMessage } from '../src/protocol/webviewMessages';
import { runContextAction, type ActionTarget } from './contextActions';
import { ContainerColumnPresence, CONTAINER_COLUMN_KEY } from './containerColumn';
import { DetailPane } from './detailPane';
import { el } from './dom';
import { InspectorController } from './inspectorController';
import { listenToKeys } from './inspectorKeys';
import { InspectorState } from './inspectorState';
import { JumpBar } from './jumpBar';
import { rowValuesOf } from './packetColumnValues';
import { PacketList } from './packetList';
import { findPacket, goToPacket } from './packetNavigation';
import { COLUMNS, fillPacketRow } from './packetRowCells';
import { capturedFrame, summaryLine } from './packetText';
import { makeSplitter } from './splitter';
import { StatusLine } from './statusLine';
import { StreamViews } from './streamViews';
import { Toolbar } from './toolbar';
import type { InspectorUiState, VsCodeApi } from './vscodeApi';
import { INSPECTOR_INSTANCE } from './vscodeContext';

/**
 * How long the selection must rest before the detail pane follows it while it moves fast:
 * longer than a held key's repeat (25-30/s on Linux and Windows, ~11/s by macOS's default),
 * short enough to read as the moment paging stops.
 */
const DETAIL_REST_MS = 100;

export class InspectorApp {
  private readonly state = new InspectorState();
  private readonly controller: InspectorController;
  private readonly toolbar: Toolbar;
  private readonly list: PacketList;
  private readonly detail = new DetailPane();
  private readonly statusLine = new StatusLine();
  private readonly jumpBar: JumpBar;
  /** Follow Stream, Conversations, HTTP/DNS exchanges, and the stream filter fields. */
  private readonly streamViews: StreamViews;
  /** A capture of several containers shows the Container column. */
  private readonly containerColumn = new ContainerColumnPresence();
  private renderPending = false;
  /** When the selection last changed (performance.now()), and which change the pending detail pane is for (showDetailSoon). */
  private lastSelectionAt = -Infinity;
  private detailGeneration = 0;
  private savedStateKey = '';

  constructor(
    private readonly api: VsCodeApi,
    restored: InspectorUiState,
  ) {
    const state = this.state;
    state.pendingSelect = restored.selectedNumber;
    state.pendingTop = restored.autoscroll ? 0 : restored.topNumber;
    this.toolbar = new Toolbar({
      stop: () => api.postMessage({ type: 'stop' }),
      captureAgain: () => api.postMessage({ type: 'captureAgain' }),
      toggleFollow: () => this.list.setFollow(!this.list.following),
      clear: () => this.controller.clear(),
      save: (format) => this.controller.save(format),
      filterChanged: (text, committed) => this.controller.applyFilter(text, committed),
    }, restored.filterHistory);
    state.timeFormat = restored.timeFormat;
    state.resolveNames = restored.resolveNames;
    const columns = COLUMNS.map((c) => ({ ...c, onHeaderClick: () => this.controller.display.sortBy(nextSort(state.sorted.current, c.key)) }));
    this.list = new PacketList(columns, {
      count: () => state.sorted.length,
      numberAt: (i) => state.sorted.numberAt(i),
      indexOf: (n) => state.sorted.indexOf(n),
      indexAtOrAfter: (n) => state.sorted.indexAtOrAfter(n),
      fillRow: (cells, n) => fillPacketRow(state, cells, n),
      isMarked: (n) => state.marked.has(n),
    }, {
      onSelect: () => this.showDetailSoon(),
      onFollowChange: (follow) => {
        this.toolbar.setFollow(follow);
        this.scheduleRender();
      },
      onScrolled: () => this.scheduleRender(),
    });
    this.jumpBar = new JumpBar({
      find: (mode, text, backwards) => findPacket(state, this.list, this.streamViews.fieldSource, mode, text, backwards),
      goTo: (n) => goToPacket(state, this.list, n),
      closed: () => this.list.focus(),
    });
    this.streamViews = new StreamViews({
      store: () => state.store,
      displayAddress: (a) => state.hostnames[a] ?? a,
      setFilter: (text) => {
        this.toolbar.setFilterText(text);
        this.controller.applyFilter(text, true);
      },
      goToPacket: (n) => goToPacket(state, this.list, n),
      saveBytes: (name, bytes) => api.postMessage({ type: 'saveBytes', name, bytes }),
      notice: (message) => this.toolbar.showNotice(message),
      plaintext: (n) => state.tls.plaintext(n),
      http2: (n) => state.tls.http2(n),
    });
    this.controller = new InspectorController(state, {
      list: this.list,
      detail: this.detail,
      toolbar: this.toolbar,
      streams: this.streamViews,
      post: (message) => api.postMessage(message),
      runAction: (message) => runContextAction(this.actionTarget(), message),
      scheduleRender: () => this.scheduleRender(),
      saveState: () => this.saveState(),
    }, INSPECTOR_INSTANCE);
    listenToKeys({
      openFind: () => this.jumpBar.openFind(),
      openGoTo: () => this.jumpBar.openGoTo(),
      selectedNumber: () => this.list.selectedNumber,
      toggleMark: (n) => this.controller.toggleMark(n),
      copyText: () => this.copyText(),
    });
    const splitter = el('div', { class: 'splitter', id: 'list-splitter', 'aria-label': 'Resize the packet list' });
    makeSplitter(splitter, this.list.element, () => this.scheduleRender());
    const main = el('div', { class: 'inspector' }, this.toolbar.element, this.jumpBar.element, this.list.element, splitter, this.detail.element, this.statusLine.element);
    document.body.append(main);

    for (const key of restored.hiddenColumns) this.list.setColumnHidden(key, true);
    this.list.setColumnAvailable(CONTAINER_COLUMN_KEY, false);
    this.controller.display.updateHeaderContext();
    if (restored.sort) this.controller.display.sortBy(restored.sort);
    this.toolbar.setFollow(restored.autoscroll);
    if (!restored.autoscroll) this.list.setFollow(false);
    this.toolbar.setStopVisible(false);
    if (restored.filterText) {
      this.toolbar.setFilterText(restored.filterText);
      this.controller.applyFilter(restored.filterText);
    }
    setInterval(() => {
      state.rate.sample(performance.now(), state.store.totalReceived);
      this.scheduleRender();
    }, 1000);
    this.scheduleRender();
  }

  handle(message: ToWebviewMessage): void {
    this.controller.handle(message);
  }

  /** What the context menu's entries act on (contextActions.ts). */
  private actionTarget(): ActionTarget {
    const state = this.state;
    return {
      filterText: () => state.filterText,
      setFilter: (text, apply) => {
        this.toolbar.setFilterText(text);
        if (apply) this.controller.applyFilter(text, true);
        else this.toolbar.filterInput.focus();
      },
      rowValues: (n) => rowValuesOf(state, n),
      frame: (n) => {
        const row = state.store.rowOf(n);
        return row < 0 ? undefined : capturedFrame(state.store, row);
      },
      displayAddress: (a) => state.displayAddress(a),
      field: (n, id) => (n === this.list.selectedNumber ? this.detail.fieldById(id) : undefined),
      toggleMark: (n) => this.controller.toggleMark(n),
      openGoTo: () => this.jumpBar.openGoTo(),
      openFind: () => this.jumpBar.openFind(),
      hideColumn: (key) => {
        this.list.setColumnHidden(key, true);
        this.saveState();
      },
      showAllColumns: () => {
        this.list.showAllColumns();
        this.saveState();
      },
      setTimeFormat: (format) => this.controller.display.setTimeFormat(format),
      setResolveNames: (resolve) => this.controller.display.setResolveNames(resolve),
      copy: (text) => this.api.postMessage({ type: 'copy', text }),
      notice: (message) => this.toolbar.showNotice(message),
      followStream: (n, protocol) => this.streamViews.follow(n, protocol),
      showConversations: () => this.streamViews.showConversations(),
      showExchanges: () => this.streamViews.showExchanges(),
      showServiceMap: () => this.streamViews.showServiceMap(),
    };
  }

  /** Ctrl+C: the focused field of the tree ("name: value"), else the selected packet's summary line. */
  private copyText(): string | undefined {
    const field = this.detail.hasFocus() ? this.detail.activeField() : undefined;
    if (field) return `${field.field.name}: ${field.field.value}`;
    const values = rowValuesOf(this.state, this.list.selectedNumber);
    return values ? summaryLine(values, (a) => this.state.displayAddress(a)) : undefined;
  }

  /**
   * The detail pane of a newly selected packet, built once the frame with the moved
   * selection is painted; while the selection keeps moving (a key held or pressed fast:
   * PageDown, arrows), once it rests for DETAIL_REST_MS, for the latest selection only.
   * Each packet's tree and hexdump cost about a frame to lay out and paint, and built at
   * every press they kept the rows of the next press from being drawn in time (stale rows
   * while paging). A click or a single key press still shows its packet at the next frame.
   */
  private showDetailSoon(): void {
    const now = performance.now();
    const moving = now - this.lastSelectionAt < DETAIL_REST_MS;
    this.lastSelectionAt = now;
    const generation = ++this.detailGeneration;
    const build = (): void => {
      // A later selection has its own build pending.
      if (generation !== this.detailGeneration) return;
      this.controller.showDetail(this.list.selectedNumber);
      this.saveState();
    };
    if (moving) setTimeout(build, DETAIL_REST_MS);
    else requestAnimationFrame(() => setTimeout(build, 0));
  }

  private scheduleRender(): void {
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.render();
    });
  }

  private render(): void {
    const state = this.state;
    this.list.setColumnAvailable(CONTAINER_COLUMN_KEY, this.containerColumn.update(state.store.columns.interfaces));
    // A live capture's sort is taken again at most once a second (see SortedRows).
    if (state.sorted.refresh()) this.list.invalidate();
    this.list.render();
    this.controller.fetchMissingBytes();
    this.toolbar.setStopVisible(state.canStop);
    this.toolbar.setCaptureAgainVisible(state.canCaptureAgain);
    this.toolbar.setCounters({
      packets: state.store.totalReceived,
      shown: state.rows.length,
      filtered: state.rows.active,
      bytes: state.store.totalBytes,
      rate: state.currentRate(performance.now()),
      kernelDrops: state.kernelDrops,
      droppedFromMemory: state.store.droppedCount,
      spoolCappedAt: state.status.spoolCapped?.packets,
    });
    // A live capture keeps growing while "save which packets?" is open.
    this.toolbar.updateSaveChoice(state.store.size, state.rows.length);
    this.statusLine.show(state.title, state.status, state.store.totalReceived);
    this.saveState();
  }

  private saveState(): void {
    const state = this.state;
    const ui: InspectorUiState = {
      filterText: state.filterText,
      selectedNumber: this.list.selectedNumber || state.pendingSelect,
      autoscroll: this.list.following,
      topNumber: this.list.following ? 0 : this.list.topNumber || state.pendingTop,
      filterHistory: [...this.toolbar.assist.entries],
      timeFormat: state.timeFormat,
      hiddenColumns: this.list.hiddenColumns,
      resolveNames: state.resolveNames,
      ...(state.sorted.current ? { sort: state.sorted.current } : {}),
      ...(state.status.state === 'ended' || state.status.state === 'error' ? { endStatus: { state: state.status.state, message: state.status.message ?? '' } } : {}),
    };
    const key = JSON.stringify(ui);
    if (key === this.savedStateKey) return;
    this.savedStateKey = key;
    this.api.setState(ui);
  }
}
