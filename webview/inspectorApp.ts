/**
 * The packet inspector: owns the packet store, the filtered view of it and the
 * widgets, handles the host's messages and renders at most once per animation
 * frame however fast batches arrive.
 */
import { compileFilter } from '../src/core/filter/index';
import { nextSort, type PacketSort } from '../src/core/sortPackets';
import type { SaveFormat, ToWebviewMessage } from '../src/protocol/webviewMessages';
import { runContextAction, type ActionTarget } from './contextActions';
import { ContainerColumnPresence, CONTAINER_COLUMN_KEY } from './containerColumn';
import { DetailPane } from './detailPane';
import { FrameBytesFetcher } from './frameBytesFetcher';
import { el } from './dom';
import { formatCount } from './format';
import { JumpBar } from './jumpBar';
import { rowValuesOf, sortValue } from './packetColumnValues';
import { packetDetail } from './packetDetail';
import { PacketList, type ListSource } from './packetList';
import { COLUMNS, fillPacketRow } from './packetRowCells';
import { compileSearch, findShownIndex, type SearchMode } from './packetSearch';
import { InspectorState, type TimeFormat } from './inspectorState';
import { capturedFrame, summaryLine } from './packetText';
import { makeSplitter } from './splitter';
import { StatusLine } from './statusLine';
import { StreamViews } from './streamViews';
import { Toolbar } from './toolbar';
import type { InspectorUiState, VsCodeApi } from './vscodeApi';
import { INSPECTOR_INSTANCE } from './vscodeContext';

const TIME_FORMAT_NAMES: Record<TimeFormat, string> = { sinceStart: 'seconds since the first packet', sincePrevious: 'seconds since the previous packet', absolute: 'time of day' };

export class InspectorApp {
  private readonly state = new InspectorState();
  private renderPending = false;
  private savedStateKey = '';
  private readonly toolbar: Toolbar;
  private readonly bytesFetcher = new FrameBytesFetcher(() => this.state.store, (m) => this.api.postMessage(m));
  private readonly list: PacketList;
  private readonly detail = new DetailPane();
  /** A capture of several containers shows the Container column. */
  private readonly containerColumn = new ContainerColumnPresence();
  private readonly statusLine = new StatusLine();
  private readonly jumpBar: JumpBar;
  /** Follow Stream, Conversations, HTTP/DNS exchanges, and the stream filter fields. */
  private readonly streamViews = new StreamViews({
    store: () => this.state.store,
    displayAddress: (a) => this.state.hostnames[a] ?? a,
    setFilter: (text) => {
      this.toolbar.setFilterText(text);
      this.applyFilter(text, true);
    },
    goToPacket: (n) => this.goTo(n),
    saveBytes: (name, bytes) => this.api.postMessage({ type: 'saveBytes', name, bytes }),
    notice: (message) => this.toolbar.showNotice(message),
    plaintext: (n) => this.state.tls.plaintext(n),
    http2: (n) => this.state.tls.http2(n),
  });

  constructor(
    private readonly api: VsCodeApi,
    restored: InspectorUiState,
  ) {
    this.state.pendingSelect = restored.selectedNumber;
    this.state.pendingTop = restored.autoscroll ? 0 : restored.topNumber;
    this.toolbar = new Toolbar({
      stop: () => this.api.postMessage({ type: 'stop' }),
      captureAgain: () => this.api.postMessage({ type: 'captureAgain' }),
      toggleFollow: () => this.list.setFollow(!this.list.following),
      clear: () => {
        this.api.postMessage({ type: 'clear' });
        this.clearLocally();
      },
      save: (format) => this.save(format),
      filterChanged: (text, committed) => this.applyFilter(text, committed),
    }, restored.filterHistory);
    this.state.timeFormat = restored.timeFormat;
    this.state.resolveNames = restored.resolveNames;
    const columns = COLUMNS.map((c) => ({ ...c, onHeaderClick: () => this.sortBy(nextSort(this.state.sorted.current, c.key)) }));
    this.list = new PacketList(columns, this.listSource(), {
      onSelect: (n) => {
        this.showDetail(n);
        this.saveState();
      },
      onFollowChange: (follow) => {
        this.toolbar.setFollow(follow);
        this.scheduleRender();
      },
      onScrolled: () => this.scheduleRender(),
    });
    this.jumpBar = new JumpBar({
      find: (mode, text, backwards) => this.find(mode, text, backwards),
      goTo: (n) => this.goTo(n),
      closed: () => this.list.focus(),
    });
    document.addEventListener('keydown', (e) => this.onKey(e));
    document.addEventListener('copy', (e) => this.onCopy(e));
    const splitter = el('div', { class: 'splitter', id: 'list-splitter', 'aria-label': 'Resize the packet list' });
    makeSplitter(splitter, this.list.element, () => this.scheduleRender());
    const main = el('div', { class: 'inspector' }, this.toolbar.element, this.jumpBar.element, this.list.element, splitter, this.detail.element, this.statusLine.element);
    document.body.append(main);

    for (const key of restored.hiddenColumns) this.list.setColumnHidden(key, true);
    this.list.setColumnAvailable(CONTAINER_COLUMN_KEY, false);
    this.updateHeaderContext();
    if (restored.sort) this.sortBy(restored.sort);
    this.toolbar.setFollow(restored.autoscroll);
    if (!restored.autoscroll) this.list.setFollow(false);
    this.toolbar.setStopVisible(false);
    if (restored.filterText) {
      this.toolbar.setFilterText(restored.filterText);
      this.applyFilter(restored.filterText);
    }
    setInterval(() => this.sampleRate(), 1000);
    this.scheduleRender();
  }

  handle(message: ToWebviewMessage): void {
    switch (message.type) {
      case 'init':
        this.state.reset(message);
        this.bytesFetcher.reset();
        this.applyFilter(this.state.filterText);
        this.list.invalidate();
        this.detail.showEmpty();
        break;
      case 'frames':
        this.state.storeFrames(message);
        // Stored: the host may send more (it keeps only a few MB unacknowledged).
        if (message.seq !== undefined) this.api.postMessage({ type: 'ack', seq: message.seq });
        if (this.state.updateRows()) this.list.invalidate();
        this.restorePending();
        break;
      case 'status':
        this.state.status = message.status;
        break;
      case 'frameBytes': {
        this.bytesFetcher.received(message);
        this.list.invalidate();
        const selected = this.list.selectedNumber;
        if (selected > 0 && message.packets.some((p) => p.number === selected)) this.showDetail(selected);
        break;
      }
      case 'hostnames':
        this.state.hostnames = { ...message.hostnames };
        this.resortBy('source', 'destination');
        this.list.invalidate();
        // A filter naming a container must see its new addresses.
        if (this.state.filterText) this.applyFilter(this.state.filterText);
        break;
      case 'cleared':
        this.clearLocally();
        this.state.tls.clear();
        break;
      case 'tlsDecryption': {
        const selected = this.list.selectedNumber;
        if (this.state.tls.update(message.frames, message.reset === true, selected) && selected > 0) this.showDetail(selected);
        // Decrypted fields (http.*, http2.*) may now match packets the filter passed over.
        if (this.state.rows.active) this.applyFilter(this.state.filterText);
        this.list.invalidate();
        break;
      }
      case 'contextAction':
        if (message.target === INSPECTOR_INSTANCE) runContextAction(this.actionTarget(), message);
        break;
      case 'paletteAction': {
        const packet = this.list.selectedNumber;
        if (packet <= 0 && message.action.startsWith('follow')) this.toolbar.showNotice('Select a packet of the stream to follow');
        else runContextAction(this.actionTarget(), { type: 'contextAction', target: INSPECTOR_INSTANCE, action: message.action, packet });
        break;
      }
    }
    this.scheduleRender();
  }

  private listSource(): ListSource {
    return {
      count: () => this.state.sorted.length,
      numberAt: (i) => this.state.sorted.numberAt(i),
      indexOf: (n) => this.state.sorted.indexOf(n),
      indexAtOrAfter: (n) => this.state.sorted.indexAtOrAfter(n),
      fillRow: (cells, n) => fillPacketRow(this.state, cells, n),
      isMarked: (n) => this.state.marked.has(n),
    };
  }

  private actionTarget(): ActionTarget {
    return {
      filterText: () => this.state.filterText,
      setFilter: (text, apply) => {
        this.toolbar.setFilterText(text);
        if (apply) this.applyFilter(text, true);
        else this.toolbar.filterInput.focus();
      },
      rowValues: (n) => rowValuesOf(this.state, n),
      frame: (n) => {
        const row = this.state.store.rowOf(n);
        return row < 0 ? undefined : capturedFrame(this.state.store, row);
      },
      displayAddress: (a) => this.displayAddress(a),
      field: (n, id) => (n === this.list.selectedNumber ? this.detail.fieldById(id) : undefined),
      toggleMark: (n) => this.toggleMark(n),
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
      setTimeFormat: (format) => this.setTimeFormat(format),
      setResolveNames: (resolve) => this.setResolveNames(resolve),
      copy: (text) => this.api.postMessage({ type: 'copy', text }),
      notice: (message) => this.toolbar.showNotice(message),
      followStream: (n, protocol) => this.streamViews.follow(n, protocol),
      showConversations: () => this.streamViews.showConversations(),
      showExchanges: () => this.streamViews.showExchanges(),
      showServiceMap: () => this.streamViews.showServiceMap(),
    };
  }

  private setTimeFormat(format: TimeFormat): void {
    this.state.timeFormat = format;
    this.toolbar.showNotice(`Time: ${TIME_FORMAT_NAMES[this.state.timeFormat]}`);
    this.resortBy('time');
    this.updateHeaderContext();
    this.list.invalidate();
    this.saveState();
    this.scheduleRender();
  }

  private setResolveNames(resolve: boolean): void {
    this.state.resolveNames = resolve;
    this.toolbar.showNotice(resolve ? 'Addresses of known containers show as their names' : 'Addresses show as addresses (no name resolution)');
    this.resortBy('source', 'destination');
    this.updateHeaderContext();
    this.list.invalidate();
    this.saveState();
    this.scheduleRender();
  }

  /** The address as the list shows it: a container name when known and names are on. */
  private displayAddress(address: string): string {
    return this.state.displayAddress(address);
  }

  private updateHeaderContext(): void {
    this.list.setHeaderContext({ timeFormat: this.state.timeFormat, resolveNames: this.state.resolveNames });
  }

  /** Sorts the list by a column (or back to arrival order), as a Wireshark header click. */
  private sortBy(sort: PacketSort | undefined): void {
    this.state.sorted.setSort(sort, (n) => sortValue(this.state, sort?.column ?? 'number', n));
    this.state.sorted.refresh(true);
    this.list.setSortIndicator(sort?.column, sort?.direction);
    // The selected packet stays in view where the sort put it.
    if (this.list.selectedNumber > 0) {
      this.list.setFollow(false);
      this.list.select(this.list.selectedNumber, true);
    }
    this.saveState();
    this.scheduleRender();
  }

  /** The sort follows what the column shows: re-sorted when that changed (names, time format). */
  private resortBy(...columns: string[]): void {
    const sort = this.state.sorted.current;
    if (sort && columns.includes(sort.column)) {
      this.state.sorted.setSort(sort, (n) => sortValue(this.state, sort.column, n));
      this.state.sorted.refresh(true);
    }
  }

  private toggleMark(n: number): void {
    if (!this.state.marked.delete(n)) this.state.marked.add(n);
    this.list.invalidate();
    this.scheduleRender();
  }

  /** Inspector shortcuts, kept from VS Code (whose Find and Go to Line mean nothing here). */
  private onKey(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod || e.altKey || e.shiftKey) return;
    const key = e.key.toLowerCase();
    if (key === 'f') this.jumpBar.openFind();
    else if (key === 'g') this.jumpBar.openGoTo();
    else if (key === 'm' && this.list.selectedNumber > 0 && !isTextInput(e.target)) this.toggleMark(this.list.selectedNumber);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  /** Ctrl+C: the focused field of the tree ("name: value"), else the selected packet's summary line. */
  private onCopy(e: ClipboardEvent): void {
    if (isTextInput(document.activeElement) || (document.getSelection()?.toString() ?? '') !== '') return;
    let text: string | undefined;
    const field = this.detail.hasFocus() ? this.detail.activeField() : undefined;
    if (field) text = `${field.field.name}: ${field.field.value}`;
    else {
      const values = rowValuesOf(this.state, this.list.selectedNumber);
      if (values) text = summaryLine(values, (a) => this.displayAddress(a));
    }
    if (text === undefined || !e.clipboardData) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
  }

  private find(mode: SearchMode, text: string, backwards: boolean): string {
    const search = compileSearch(mode, text, { hostnames: this.state.hostnames, streams: this.streamViews.fieldSource, decrypted: this.state.tls });
    if (!search.ok) return search.message;
    const count = this.state.sorted.length;
    if (count === 0) return 'No packets';
    // In the order the list shows: "next" is the next row down, sorted or not.
    const current = this.state.sorted.indexOf(this.list.selectedNumber);
    const from = current >= 0 ? current : backwards ? count : -1;
    const index = findShownIndex(this.state.store, { count, numberAt: (i) => this.state.sorted.numberAt(i) }, search.test, from, backwards);
    if (index < 0) return 'No packet matches';
    this.list.setFollow(false);
    this.list.select(this.state.sorted.numberAt(index), true);
    return '';
  }

  private goTo(n: number): string {
    if (this.state.store.rowOf(n) < 0) return `Packet ${formatCount(n)} is not in this capture${this.state.store.size > 0 ? ` (${formatCount(this.state.store.firstNumber)}–${formatCount(this.state.store.firstNumber + this.state.store.size - 1)})` : ''}`;
    if (this.state.rows.indexOf(n) < 0) return `Packet ${formatCount(n)} is hidden by the display filter`;
    this.list.setFollow(false);
    this.list.select(n, true);
    this.list.focus();
    return '';
  }

  private showDetail(packetNumber: number): void {
    const detail = packetDetail(this.state.store, this.state.tls, packetNumber, (message) => this.api.postMessage({ type: 'error', message }));
    if (detail) this.detail.show(detail);
    else this.detail.showEmpty();
  }

  private applyFilter(text: string, committed = false): void {
    this.state.filterText = text;
    const compiled = compileFilter(text, { hostnames: this.state.hostnames, streams: this.streamViews.fieldSource, decrypted: this.state.tls });
    if (!compiled.ok) {
      // Keep showing the last valid result while the user is still typing, and say so.
      this.toolbar.showFilterError(compiled.message, this.state.rows.active ? this.state.appliedFilter : '');
      this.scheduleRender();
      return;
    }
    this.toolbar.showFilterError(undefined);
    this.state.appliedFilter = text.trim();
    if (committed) this.toolbar.assist.remember(text);
    const started = performance.now();
    this.state.rows.setPredicate(compiled.predicate);
    this.lastFilterMs = performance.now() - started;
    this.state.sorted.refresh(true);
    this.list.invalidate();
    if (!this.list.following && this.list.selectedNumber > 0) this.list.select(this.list.selectedNumber, true);
    this.scheduleRender();
  }

  /** Time the last filter took over every stored packet (read by the benchmark and tests). */
  lastFilterMs = 0;

  private save(format: SaveFormat): void {
    const all = this.state.store.size;
    const shown = this.state.rows.length;
    if (!this.state.rows.active || shown === all) {
      this.api.postMessage({ type: 'save', format });
      return;
    }
    this.toolbar.askWhatToSave(format, all, shown, (onlyShown) => {
      if (onlyShown) this.api.postMessage({ type: 'save', format, packetNumbers: this.state.rows.toArray() });
      else this.api.postMessage({ type: 'save', format });
    });
  }

  private clearLocally(): void {
    this.state.clearPackets();
    this.streamViews.reset();
    this.detail.showEmpty();
    this.list.invalidate();
    this.list.select(0, false);
    this.scheduleRender();
  }

  private restorePending(): void {
    if (this.state.pendingSelect > 0 && this.state.store.rowOf(this.state.pendingSelect) >= 0) {
      this.list.select(this.state.pendingSelect, false);
      this.state.pendingSelect = 0;
    }
    if (this.state.pendingTop > 0 && this.state.store.rowOf(this.state.pendingTop) >= 0) {
      this.list.scrollToNumber(this.state.pendingTop);
      this.state.pendingTop = 0;
    }
  }

  private sampleRate(): void {
    this.state.rate.sample(performance.now(), this.state.store.totalReceived);
    this.scheduleRender();
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
    this.list.setColumnAvailable(CONTAINER_COLUMN_KEY, this.containerColumn.update(this.state.store.columns.interfaces));
    // A live capture's sort is taken again at most once a second (see SortedRows).
    if (this.state.sorted.refresh()) this.list.invalidate();
    this.list.render();
    this.bytesFetcher.requestMissing();
    const missed = this.bytesFetcher.missedNotice();
    if (missed) this.toolbar.showNotice(missed);
    this.toolbar.setStopVisible(this.state.canStop);
    this.toolbar.setCaptureAgainVisible(this.state.canCaptureAgain);
    this.toolbar.setCounters({
      packets: this.state.store.totalReceived,
      shown: this.state.rows.length,
      filtered: this.state.rows.active,
      bytes: this.state.store.totalBytes,
      rate: this.state.currentRate(performance.now()),
      kernelDrops: this.state.kernelDrops,
      droppedFromMemory: this.state.store.droppedCount,
      spoolCappedAt: this.state.status.spoolCapped?.packets,
    });
    // A live capture keeps growing while "save which packets?" is open.
    this.toolbar.updateSaveChoice(this.state.store.size, this.state.rows.length);
    this.statusLine.show(this.state.title, this.state.status, this.state.store.totalReceived);
    this.saveState();
  }

  private saveState(): void {
    const state: InspectorUiState = {
      filterText: this.state.filterText,
      selectedNumber: this.list.selectedNumber || this.state.pendingSelect,
      autoscroll: this.list.following,
      topNumber: this.list.following ? 0 : this.list.topNumber || this.state.pendingTop,
      filterHistory: [...this.toolbar.assist.entries],
      timeFormat: this.state.timeFormat,
      hiddenColumns: this.list.hiddenColumns,
      resolveNames: this.state.resolveNames,
      ...(this.state.sorted.current ? { sort: this.state.sorted.current } : {}),
      ...(this.state.status.state === 'ended' || this.state.status.state === 'error' ? { endStatus: { state: this.state.status.state, message: this.state.status.message ?? '' } } : {}),
    };
    const key = JSON.stringify(state);
    if (key === this.savedStateKey) return;
    this.savedStateKey = key;
    this.api.setState(state);
  }
}

function isTextInput(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}
