/**
 * The packet inspector: owns the packet store, the filtered view of it and the
 * widgets, handles the host's messages and renders at most once per animation
 * frame however fast batches arrive.
 */
import { dissect, summarize, summarizeColumns, summarizeRow } from '../src/core/decode/index';
import { compileFilter, FilteredRows } from '../src/core/filter/index';
import { NetworkLayer } from '../src/core/filter/frameFields';
import type { PacketLayer } from '../src/core/packet';
import { PacketStore } from '../src/core/packetStore';
import { nextSort, type PacketSort } from '../src/core/sortPackets';
import { frameBatchesOf, type CaptureStatus, type SaveFormat, type ToWebviewMessage } from '../src/protocol/webviewMessages';
import { runContextAction, type ActionTarget } from './contextActions';
import { CONTAINER_COLUMN, ContainerColumnPresence, containerCells, CONTAINER_COLUMN_KEY } from './containerColumn';
import { DetailPane } from './detailPane';
import { FrameBytesFetcher } from './frameBytesFetcher';
import { el } from './dom';
import { formatCount } from './format';
import { JumpBar } from './jumpBar';
import { PacketList, type ListColumn, type ListSource } from './packetList';
import { compileSearch, findShownIndex, type SearchMode } from './packetSearch';
import { TlsDecryptions } from './tlsDecryptions';
import { CaptureRate } from './captureRate';
import { capturedFrame, rowValues, summaryLine } from './packetText';
import { SortedRows } from './sortedRows';
import { makeSplitter } from './splitter';
import { StatusLine } from './statusLine';
import { StreamViews } from './streamViews';
import { Toolbar } from './toolbar';
import type { InspectorUiState, VsCodeApi } from './vscodeApi';
import { INSPECTOR_INSTANCE } from './vscodeContext';

type TimeFormat = InspectorUiState['timeFormat'];
const TIME_FORMAT_NAMES: Record<TimeFormat, string> = { sinceStart: 'seconds since the first packet', sincePrevious: 'seconds since the previous packet', absolute: 'time of day' };

const COLUMNS: ListColumn[] = [
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

/** Shown until `init` says otherwise. */
const DEFAULT_MAX_PACKETS = 1_000_000;

export class InspectorApp {
  private store = new PacketStore({ maxPackets: DEFAULT_MAX_PACKETS, summarize, summarizeColumns, summarizeRow });
  private rows = new FilteredRows(this.store);
  /** The rows in the order the list shows them (a header click sorts). */
  private readonly sorted = new SortedRows(this.rows);
  /** Addresses of known containers show as their names (Wireshark's name resolution); off: raw addresses. */
  private resolveNames = true;
  private hostnames: Record<string, string> = {};
  private live = false;
  private status: CaptureStatus = { state: 'starting' };
  private title = '';
  /** The tab captures a container (not a file): an ended capture can start again. */
  private capturesContainer = false;
  private filterText = '';
  private renderPending = false;
  private savedStateKey = '';
  private readonly rate = new CaptureRate();
  /** Restored after a reload, applied once the host has re-sent that packet. */
  private pendingSelect: number;
  private pendingTop: number;
  private readonly toolbar: Toolbar;
  private readonly bytesFetcher = new FrameBytesFetcher(() => this.store, (m) => this.api.postMessage(m));
  private readonly list: PacketList;
  private readonly detail = new DetailPane();
  /** A capture of several containers shows the Container column. */
  private readonly containerColumn = new ContainerColumnPresence();
  private readonly statusLine = new StatusLine();
  private readonly jumpBar: JumpBar;
  /** Packets the user marked (Mark/Unmark Packet, Ctrl+M). */
  private readonly marked = new Set<number>();
  /** TLS decrypted by the host with a key log (Decrypt TLS with Key Log…). */
  private readonly tls = new TlsDecryptions();
  /** Follow Stream, Conversations, HTTP/DNS exchanges, and the stream filter fields. */
  private readonly streamViews = new StreamViews({
    store: () => this.store,
    displayAddress: (a) => this.hostnames[a] ?? a,
    setFilter: (text) => {
      this.toolbar.setFilterText(text);
      this.applyFilter(text, true);
    },
    goToPacket: (n) => this.goTo(n),
    saveBytes: (name, bytes) => this.api.postMessage({ type: 'saveBytes', name, bytes }),
    notice: (message) => this.toolbar.showNotice(message),
    plaintext: (n) => this.tls.plaintext(n),
    http2: (n) => this.tls.http2(n),
  });

  constructor(
    private readonly api: VsCodeApi,
    restored: InspectorUiState,
  ) {
    this.pendingSelect = restored.selectedNumber;
    this.pendingTop = restored.autoscroll ? 0 : restored.topNumber;
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
    this.timeFormat = restored.timeFormat;
    this.resolveNames = restored.resolveNames;
    const columns = COLUMNS.map((c) => ({ ...c, onHeaderClick: () => this.sortBy(nextSort(this.sorted.current, c.key)) }));
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
        this.title = message.title;
        this.live = message.live;
        this.capturesContainer = message.container !== undefined || message.group === true;
        this.hostnames = { ...message.hostnames };
        this.status = message.status;
        this.store = new PacketStore({ maxPackets: Math.max(1, Math.floor(message.maxPackets)), ...byteBudget(message.maxBytes), ...byteCache(message.bytesOnDemand), summarize, summarizeColumns, summarizeRow });
        this.bytesFetcher.reset();
        // Numbering continues from what the host already dropped, so "No." matches its numbers.
        this.store.skipNumbers(message.status.droppedFromMemory ?? 0);
        this.rows = new FilteredRows(this.store);
        this.sorted.setRows(this.rows);
        this.marked.clear();
        this.tls.clear();
        this.kernelDropsAtClear = 0;
        this.rate.reset();
        this.applyFilter(this.filterText);
        this.list.invalidate();
        this.detail.showEmpty();
        break;
      case 'frames':
        // The store keeps the batch's memory (postMessage gave this runtime its own copy).
        for (const batch of frameBatchesOf(message)) this.store.appendBatch(batch);
        // Decrypted data of packets the store dropped (memory limit) goes with them.
        this.tls.forgetBefore(this.store.firstNumber);
        // Stored: the host may send more (it keeps only a few MB unacknowledged).
        if (message.seq !== undefined) this.api.postMessage({ type: 'ack', seq: message.seq });
        this.rows.update();
        if (this.sorted.refresh()) this.list.invalidate();
        this.restorePending();
        break;
      case 'status':
        this.status = message.status;
        break;
      case 'frameBytes': {
        this.bytesFetcher.received(message);
        this.list.invalidate();
        const selected = this.list.selectedNumber;
        if (selected > 0 && message.packets.some((p) => p.number === selected)) this.showDetail(selected);
        break;
      }
      case 'hostnames':
        this.hostnames = { ...message.hostnames };
        this.resortBy('source', 'destination');
        this.list.invalidate();
        // A filter naming a container must see its new addresses.
        if (this.filterText) this.applyFilter(this.filterText);
        break;
      case 'cleared':
        this.clearLocally();
        this.tls.clear();
        break;
      case 'tlsDecryption': {
        const selected = this.list.selectedNumber;
        if (this.tls.update(message.frames, message.reset === true, selected) && selected > 0) this.showDetail(selected);
        // Decrypted fields (http.*, http2.*) may now match packets the filter passed over.
        if (this.rows.active) this.applyFilter(this.filterText);
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
      count: () => this.sorted.length,
      numberAt: (i) => this.sorted.numberAt(i),
      indexOf: (n) => this.sorted.indexOf(n),
      indexAtOrAfter: (n) => this.sorted.indexAtOrAfter(n),
      fillRow: (cells, n) => this.fillRow(cells, n),
      isMarked: (n) => this.marked.has(n),
    };
  }

  private actionTarget(): ActionTarget {
    return {
      filterText: () => this.filterText,
      setFilter: (text, apply) => {
        this.toolbar.setFilterText(text);
        if (apply) this.applyFilter(text, true);
        else this.toolbar.filterInput.focus();
      },
      rowValues: (n) => this.rowValuesOf(n),
      frame: (n) => {
        const row = this.store.rowOf(n);
        return row < 0 ? undefined : capturedFrame(this.store, row);
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

  private rowValuesOf(n: number): ReturnType<typeof rowValues> {
    const row = this.store.rowOf(n);
    if (row < 0) return undefined;
    const c = this.store.columns;
    const s = this.store.slot(row);
    return rowValues(this.store, n, this.timeText(row), protocolText(c.protocols.get(c.protocolId[s] ?? 0), c.network[s] ?? 0, c.ipProtocol[s] ?? -1));
  }

  /** The Time column in the chosen format (the header cycles through them, as Wireshark's View > Time Display Format). */
  private timeText(row: number): string {
    const store = this.store;
    switch (this.timeFormat) {
      case 'sincePrevious': return (row > 0 ? store.relativeTime(row) - store.relativeTime(row - 1) : 0).toFixed(6);
      case 'absolute': {
        const s = store.slot(row);
        const date = new Date((store.columns.tsSec[s] ?? 0) * 1000);
        const pad = (n: number): string => String(n).padStart(2, '0');
        return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${String(store.columns.tsUsec[s] ?? 0).padStart(6, '0')}`;
      }
      default: return store.relativeTime(row).toFixed(6);
    }
  }

  private setTimeFormat(format: TimeFormat): void {
    this.timeFormat = format;
    this.toolbar.showNotice(`Time: ${TIME_FORMAT_NAMES[this.timeFormat]}`);
    this.resortBy('time');
    this.updateHeaderContext();
    this.list.invalidate();
    this.saveState();
    this.scheduleRender();
  }

  private setResolveNames(resolve: boolean): void {
    this.resolveNames = resolve;
    this.toolbar.showNotice(resolve ? 'Addresses of known containers show as their names' : 'Addresses show as addresses (no name resolution)');
    this.resortBy('source', 'destination');
    this.updateHeaderContext();
    this.list.invalidate();
    this.saveState();
    this.scheduleRender();
  }

  /** The address as the list shows it: a container name when known and names are on. */
  private displayAddress(address: string): string {
    return (this.resolveNames ? this.hostnames[address] : undefined) ?? address;
  }

  private updateHeaderContext(): void {
    this.list.setHeaderContext({ timeFormat: this.timeFormat, resolveNames: this.resolveNames });
  }

  /** Sorts the list by a column (or back to arrival order), as a Wireshark header click. */
  private sortBy(sort: PacketSort | undefined): void {
    this.sorted.setSort(sort, (n) => this.sortValue(sort?.column ?? 'number', n));
    this.sorted.refresh(true);
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
    const sort = this.sorted.current;
    if (sort && columns.includes(sort.column)) {
      this.sorted.setSort(sort, (n) => this.sortValue(sort.column, n));
      this.sorted.refresh(true);
    }
  }

  /** A packet's value in a column, as shown (numbers as numbers). */
  private sortValue(column: string, n: number): number | string {
    const store = this.store;
    const row = store.rowOf(n);
    if (row < 0) return n;
    const c = store.columns;
    const s = store.slot(row);
    switch (column) {
      case 'time': return this.timeFormat === 'sincePrevious' ? (row > 0 ? store.relativeTime(row) - store.relativeTime(row - 1) : 0) : store.relativeTime(row);
      case 'direction': return c.interfaces.get(c.interfaceId[s] ?? 0) === '' ? '' : c.direction[s] === 1 ? 'OUT' : 'IN';
      case 'interface': return containerCells(c.interfaces.get(c.interfaceId[s] ?? 0)).iface;
      case CONTAINER_COLUMN_KEY: return containerCells(c.interfaces.get(c.interfaceId[s] ?? 0)).container;
      case 'source': return this.displayAddress(c.addresses.get(c.srcId[s] ?? 0) || ipv4Text(c.network[s], c.srcIpv4[s]));
      case 'destination': return this.displayAddress(c.addresses.get(c.dstId[s] ?? 0) || ipv4Text(c.network[s], c.dstIpv4[s]));
      case 'protocol': return protocolText(c.protocols.get(c.protocolId[s] ?? 0), c.network[s] ?? 0, c.ipProtocol[s] ?? -1);
      case 'length': return c.originalLength[s] ?? 0;
      case 'info': return store.infoOf(row);
      default: return n;
    }
  }

  private toggleMark(n: number): void {
    if (!this.marked.delete(n)) this.marked.add(n);
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
      const values = this.rowValuesOf(this.list.selectedNumber);
      if (values) text = summaryLine(values, (a) => this.displayAddress(a));
    }
    if (text === undefined || !e.clipboardData) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
  }

  private find(mode: SearchMode, text: string, backwards: boolean): string {
    const search = compileSearch(mode, text, { hostnames: this.hostnames, streams: this.streamViews.fieldSource, decrypted: this.tls });
    if (!search.ok) return search.message;
    const count = this.sorted.length;
    if (count === 0) return 'No packets';
    // In the order the list shows: "next" is the next row down, sorted or not.
    const current = this.sorted.indexOf(this.list.selectedNumber);
    const from = current >= 0 ? current : backwards ? count : -1;
    const index = findShownIndex(this.store, { count, numberAt: (i) => this.sorted.numberAt(i) }, search.test, from, backwards);
    if (index < 0) return 'No packet matches';
    this.list.setFollow(false);
    this.list.select(this.sorted.numberAt(index), true);
    return '';
  }

  private goTo(n: number): string {
    if (this.store.rowOf(n) < 0) return `Packet ${formatCount(n)} is not in this capture${this.store.size > 0 ? ` (${formatCount(this.store.firstNumber)}–${formatCount(this.store.firstNumber + this.store.size - 1)})` : ''}`;
    if (this.rows.indexOf(n) < 0) return `Packet ${formatCount(n)} is hidden by the display filter`;
    this.list.setFollow(false);
    this.list.select(n, true);
    this.list.focus();
    return '';
  }

  private fillRow(cells: HTMLElement[], packetNumber: number): void {
    const store = this.store;
    const row = store.rowOf(packetNumber);
    if (row < 0) {
      for (const cell of cells) cell.textContent = '';
      return;
    }
    const c = store.columns;
    const s = store.slot(row);
    const [number, time, container, direction, iface, source, destination, protocol, length, info] = cells;
    setText(number, String(packetNumber));
    setText(time, this.timeText(row));
    const interfaceName = c.interfaces.get(c.interfaceId[s] ?? 0);
    // A pcap file records neither (its interface name is empty): blank, not a guess.
    setText(direction, interfaceName === '' ? '' : c.direction[s] === 1 ? 'OUT' : 'IN');
    const where = containerCells(interfaceName);
    setText(container, where.container);
    if (container) container.title = where.title;
    setText(iface, where.iface);
    this.setAddress(source, c.addresses.get(c.srcId[s] ?? 0) || ipv4Text(c.network[s], c.srcIpv4[s]));
    this.setAddress(destination, c.addresses.get(c.dstId[s] ?? 0) || ipv4Text(c.network[s], c.dstIpv4[s]));
    const shown = this.tls.rowText(packetNumber, protocolText(c.protocols.get(c.protocolId[s] ?? 0), c.network[s] ?? 0, c.ipProtocol[s] ?? -1), store.infoOf(row));
    setText(protocol, shown.protocol);
    setText(length, String(c.originalLength[s] ?? 0));
    setText(info, shown.info);
    info?.classList.toggle('tls-decrypted', shown.decrypted);
    if (info && (shown.title !== undefined || info.hasAttribute('title'))) info.title = shown.title ?? '';
    direction?.classList.toggle('out', c.direction[s] === 1);
  }

  /** Known containers show by name; the address stays one hover away. */
  private setAddress(cell: HTMLElement | undefined, address: string): void {
    if (!cell) return;
    const name = this.resolveNames ? this.hostnames[address] : undefined;
    cell.textContent = name ?? address;
    cell.title = name ? `${address} (${name})` : address;
    cell.classList.toggle('named', name !== undefined);
  }

  private showDetail(packetNumber: number): void {
    const row = this.store.rowOf(packetNumber);
    if (row < 0) {
      this.detail.showEmpty();
      return;
    }
    const c = this.store.columns;
    const s = this.store.slot(row);
    // Copy: the store reuses its memory as old packets are dropped.
    const bytes = this.store.frameBytes(row).slice();
    const linkType = c.linkType[s] ?? 0;
    let layers: PacketLayer[];
    try {
      layers = dissect(bytes, linkType, c.originalLength[s]);
    } catch (error) {
      layers = [];
      this.api.postMessage({ type: 'error', message: `dissect failed for packet ${packetNumber}: ${String(error)}` });
    }
    const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
    const frameLayer: PacketLayer = {
      name: `Frame ${packetNumber}: ${c.originalLength[s] ?? 0} bytes on wire, ${bytes.length} bytes captured`,
      offset: 0,
      length: bytes.length,
      fields: [
        { name: 'Number', value: String(packetNumber), offset: 0, length: 0 },
        { name: 'Arrival time', value: new Date(time * 1000).toISOString().replace('Z', `${String(c.tsUsec[s] ?? 0).padStart(6, '0').slice(3)}Z`), offset: 0, length: 0 },
        { name: 'Time since first packet', value: `${this.store.relativeTime(row).toFixed(6)} s`, offset: 0, length: 0 },
        ...(c.interfaces.get(c.interfaceId[s] ?? 0) === ''
          ? [{ name: 'Direction', value: 'unknown (a pcap file does not record it)', offset: 0, length: 0 }]
          : [
              { name: 'Interface', value: c.interfaces.get(c.interfaceId[s] ?? 0), offset: 0, length: 0 },
              { name: 'Direction', value: c.direction[s] === 1 ? 'out (sent by the container)' : 'in (received by the container)', offset: 0, length: 0 },
            ]),
        { name: 'Frame length', value: `${c.originalLength[s] ?? 0} bytes`, offset: 0, length: bytes.length },
        { name: 'Capture length', value: `${bytes.length} bytes`, offset: 0, length: bytes.length },
        { name: 'Link type', value: String(linkType), offset: 0, length: 0 },
      ],
    };
    this.detail.show({ number: packetNumber, bytes, layers: [frameLayer, ...this.tls.withLayers(packetNumber, layers)] });
  }

  private applyFilter(text: string, committed = false): void {
    this.filterText = text;
    const compiled = compileFilter(text, { hostnames: this.hostnames, streams: this.streamViews.fieldSource, decrypted: this.tls });
    if (!compiled.ok) {
      // Keep showing the last valid result while the user is still typing, and say so.
      this.toolbar.showFilterError(compiled.message, this.rows.active ? this.appliedFilter : '');
      this.scheduleRender();
      return;
    }
    this.toolbar.showFilterError(undefined);
    this.appliedFilter = text.trim();
    if (committed) this.toolbar.assist.remember(text);
    const started = performance.now();
    this.rows.setPredicate(compiled.predicate);
    this.lastFilterMs = performance.now() - started;
    this.sorted.refresh(true);
    this.list.invalidate();
    if (!this.list.following && this.list.selectedNumber > 0) this.list.select(this.list.selectedNumber, true);
    this.scheduleRender();
  }

  private timeFormat: TimeFormat = 'sinceStart';
  /** tcpdump's kernel-drop count when the user last cleared. */
  private kernelDropsAtClear = 0;

  /** The filter whose result the list shows (the box may hold an invalid one). */
  private appliedFilter = '';

  /** Time the last filter took over every stored packet (read by the benchmark and tests). */
  lastFilterMs = 0;

  private save(format: SaveFormat): void {
    const all = this.store.size;
    const shown = this.rows.length;
    if (!this.rows.active || shown === all) {
      this.api.postMessage({ type: 'save', format });
      return;
    }
    this.toolbar.askWhatToSave(format, all, shown, (onlyShown) => {
      if (onlyShown) this.api.postMessage({ type: 'save', format, packetNumbers: this.rows.toArray() });
      else this.api.postMessage({ type: 'save', format });
    });
  }

  private clearLocally(): void {
    this.kernelDropsAtClear = this.status.kernelDrops ?? 0;
    this.store.clear();
    this.streamViews.reset();
    this.marked.clear();
    this.rows.reset();
    this.sorted.refresh(true);
    this.rate.reset();
    this.detail.showEmpty();
    this.list.invalidate();
    this.list.select(0, false);
    this.scheduleRender();
  }

  private restorePending(): void {
    if (this.pendingSelect > 0 && this.store.rowOf(this.pendingSelect) >= 0) {
      this.list.select(this.pendingSelect, false);
      this.pendingSelect = 0;
    }
    if (this.pendingTop > 0 && this.store.rowOf(this.pendingTop) >= 0) {
      this.list.scrollToNumber(this.pendingTop);
      this.pendingTop = 0;
    }
  }

  private sampleRate(): void {
    this.rate.sample(performance.now(), this.store.totalReceived);
    this.scheduleRender();
  }

  private currentRate(): number | undefined {
    return this.live ? this.rate.perSecond(performance.now(), this.store.totalReceived) : undefined;
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
    this.list.setColumnAvailable(CONTAINER_COLUMN_KEY, this.containerColumn.update(this.store.columns.interfaces));
    // A live capture's sort is taken again at most once a second (see SortedRows).
    if (this.sorted.refresh()) this.list.invalidate();
    this.list.render();
    this.bytesFetcher.requestMissing();
    const missed = this.bytesFetcher.missedNotice();
    if (missed) this.toolbar.showNotice(missed);
    this.toolbar.setStopVisible(this.live && (this.status.state === 'starting' || this.status.state === 'capturing'));
    this.toolbar.setCaptureAgainVisible(this.capturesContainer && (this.status.state === 'ended' || this.status.state === 'error'));
    this.toolbar.setCounters({
      packets: this.store.totalReceived,
      shown: this.rows.length,
      filtered: this.rows.active,
      bytes: this.store.totalBytes,
      rate: this.currentRate(),
      // tcpdump's count is cumulative: Clear starts it again from zero.
      kernelDrops: Math.max(0, (this.status.kernelDrops ?? 0) - this.kernelDropsAtClear),
      droppedFromMemory: this.store.droppedCount,
      spoolCappedAt: this.status.spoolCapped?.packets,
    });
    // A live capture keeps growing while "save which packets?" is open.
    this.toolbar.updateSaveChoice(this.store.size, this.rows.length);
    this.statusLine.show(this.title, this.status, this.store.totalReceived);
    this.saveState();
  }

  private saveState(): void {
    const state: InspectorUiState = {
      filterText: this.filterText,
      selectedNumber: this.list.selectedNumber || this.pendingSelect,
      autoscroll: this.list.following,
      topNumber: this.list.following ? 0 : this.list.topNumber || this.pendingTop,
      filterHistory: [...this.toolbar.assist.entries],
      timeFormat: this.timeFormat,
      hiddenColumns: this.list.hiddenColumns,
      resolveNames: this.resolveNames,
      ...(this.sorted.current ? { sort: this.sorted.current } : {}),
      ...(this.status.state === 'ended' || this.status.state === 'error' ? { endStatus: { state: this.status.state, message: this.status.message ?? '' } } : {}),
    };
    const key = JSON.stringify(state);
    if (key === this.savedStateKey) return;
    this.savedStateKey = key;
    this.api.setState(state);
  }
}

/** The host's in-memory byte budget applies here too (the webview holds its own copy of every frame). */
function byteCache(onDemand: { cacheBytes: number } | undefined): { byteCache?: number } {
  return onDemand && Number.isFinite(onDemand.cacheBytes) && onDemand.cacheBytes > 0 ? { byteCache: onDemand.cacheBytes } : {};
}

function byteBudget(maxBytes: number | undefined): { maxBytes?: number } {
  return maxBytes !== undefined && Number.isFinite(maxBytes) && maxBytes > 0 ? { maxBytes } : {};
}

function isTextInput(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

function setText(cell: HTMLElement | undefined, text: string): void {
  if (cell && cell.textContent !== text) cell.textContent = text;
}

function ipv4Text(network: number | undefined, ip: number | undefined): string {
  if (network !== NetworkLayer.IPV4 || ip === undefined) return '';
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** The decoder's protocol name; before it knows better, what the headers say. */
function protocolText(name: string, network: number, ipProtocol: number): string {
  if (name && name !== 'UNKNOWN') return name;
  if (ipProtocol === 6) return 'TCP';
  if (ipProtocol === 17) return 'UDP';
  if (ipProtocol === 1) return 'ICMP';
  if (ipProtocol === 58) return 'ICMPv6';
  if (network === NetworkLayer.ARP) return 'ARP';
  if (network === NetworkLayer.IPV6) return 'IPv6';
  if (network === NetworkLayer.IPV4) return 'IPv4';
  return name || 'UNKNOWN';
}
