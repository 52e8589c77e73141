/**
 * The inspector's message/state controller: takes the host's typed messages
 * (src/protocol/webviewMessages.ts) and the user's commands, changes the
 * InspectorState and tells the renderers what to redraw. It holds no DOM, so
 * its transitions are unit-tested with stand-in views. Rendering happens at
 * most once per animation frame however fast batches arrive (scheduleRender).
 */
import { compileFilter } from '../src/core/filter/index';
import type { SaveFormat, ToWebviewMessage } from '../src/protocol/webviewMessages';
import { DisplayChoices } from './displayChoices';
import { FrameBytesFetcher } from './frameBytesFetcher';
import type { InspectorState } from './inspectorState';
import type { InspectorViews } from './inspectorViews';
import { packetDetail } from './packetDetail';

export class InspectorController {
  /** Sort, time format, name resolution. */
  readonly display: DisplayChoices;
  /** Time the last filter took over every stored packet (for measurements). */
  lastFilterMs = 0;
  private readonly bytesFetcher: FrameBytesFetcher;

  constructor(
    private readonly state: InspectorState,
    private readonly views: InspectorViews,
    /** This tab's id in context-menu actions (vscodeContext.ts): the host relays every action to every inspector. */
    private readonly instance: string,
  ) {
    this.display = new DisplayChoices(state, views);
    this.bytesFetcher = new FrameBytesFetcher(() => state.store, (m) => views.post(m));
  }

  handle(message: ToWebviewMessage): void {
    const { state, views } = this;
    const list = views.list;
    switch (message.type) {
      case 'init':
        state.reset(message);
        this.bytesFetcher.reset();
        this.applyFilter(state.filterText);
        list.invalidate();
        views.detail.showEmpty();
        break;
      case 'frames':
        state.storeFrames(message);
        // Stored: the host may send more (it keeps only a few MB unacknowledged).
        if (message.seq !== undefined) views.post({ type: 'ack', seq: message.seq });
        views.streams.keepUp();
        if (state.updateRows()) list.invalidate();
        this.restorePending();
        break;
      case 'status':
        state.status = message.status;
        break;
      case 'frameBytes': {
        this.bytesFetcher.received(message);
        list.invalidate();
        const selected = list.selectedNumber;
        if (selected > 0 && message.packets.some((p) => p.number === selected)) this.showDetail(selected);
        break;
      }
      case 'hostnames':
        state.hostnames = { ...message.hostnames };
        this.display.resortBy('source', 'destination');
        list.invalidate();
        // A filter naming a container must see its new addresses.
        if (state.filterText) this.applyFilter(state.filterText);
        break;
      case 'cleared':
        this.clearLocally();
        state.tls.clear();
        break;
      case 'tlsDecryption': {
        const selected = list.selectedNumber;
        if (state.tls.update(message.frames, message.reset === true, selected) && selected > 0) this.showDetail(selected);
        // Decrypted fields (http.*, http2.*) may now match packets the filter passed over.
        if (state.rows.active) this.applyFilter(state.filterText);
        list.invalidate();
        break;
      }
      case 'contextAction':
        if (message.target === this.instance) views.runAction(message);
        break;
      case 'paletteAction': {
        const packet = list.selectedNumber;
        if (packet <= 0 && message.action.startsWith('follow')) views.toolbar.showNotice('Select a packet of the stream to follow');
        else views.runAction({ type: 'contextAction', target: this.instance, action: message.action, packet });
        break;
      }
    }
    views.scheduleRender();
  }

  /** The filter box changed (`committed`: Enter, or a filter built from a selection). */
  applyFilter(text: string, committed = false): void {
    const { state, views } = this;
    state.filterText = text;
    const compiled = compileFilter(text, { hostnames: state.hostnames, streams: views.streams.fieldSource, decrypted: state.tls });
    if (!compiled.ok) {
      // Keep showing the last valid result while the user is still typing, and say so.
      views.toolbar.showFilterError(compiled.message, state.rows.active ? state.appliedFilter : '');
      views.scheduleRender();
      return;
    }
    views.toolbar.showFilterError(undefined);
    state.appliedFilter = text.trim();
    if (committed) views.toolbar.assist.remember(text);
    const started = performance.now();
    state.rows.setPredicate(compiled.predicate);
    this.lastFilterMs = performance.now() - started;
    state.sorted.refresh(true);
    views.list.invalidate();
    if (!views.list.following && views.list.selectedNumber > 0) views.list.select(views.list.selectedNumber, true);
    views.scheduleRender();
  }

  showDetail(packetNumber: number): void {
    const detail = packetDetail(this.state.store, this.state.tls, packetNumber, (message) => this.views.post({ type: 'error', message }));
    if (detail) this.views.detail.show(detail);
    else this.views.detail.showEmpty();
  }

  /** Save: every packet, or (asked when a filter hides some) only those shown. */
  save(format: SaveFormat): void {
    const { state, views } = this;
    const all = state.store.size;
    const shown = state.rows.length;
    if (!state.rows.active || shown === all) {
      views.post({ type: 'save', format });
      return;
    }
    views.toolbar.askWhatToSave(format, all, shown, (onlyShown) => {
      if (onlyShown) views.post({ type: 'save', format, packetNumbers: state.rows.toArray() });
      else views.post({ type: 'save', format });
    });
  }

  /** The Clear button: the host forgets the packets too. */
  clear(): void {
    this.views.post({ type: 'clear' });
    this.clearLocally();
  }

  toggleMark(n: number): void {
    if (!this.state.marked.delete(n)) this.state.marked.add(n);
    this.views.list.invalidate();
    this.views.scheduleRender();
  }

  /** After a render: asks the host for bytes the shown rows lacked (a file too big to hold). */
  fetchMissingBytes(): void {
    this.bytesFetcher.requestMissing();
    const missed = this.bytesFetcher.missedNotice();
    if (missed) this.views.toolbar.showNotice(missed);
  }

  private clearLocally(): void {
    const list = this.views.list;
    this.state.clearPackets();
    this.views.streams.reset();
    this.views.detail.showEmpty();
    list.invalidate();
    list.select(0, false);
    this.views.scheduleRender();
  }

  /** The selection and scroll position saved before a reload come back once the host re-sent those packets. */
  private restorePending(): void {
    const { state, views } = this;
    if (state.pendingSelect > 0 && state.store.rowOf(state.pendingSelect) >= 0) {
      views.list.select(state.pendingSelect, false);
      state.pendingSelect = 0;
    }
    if (state.pendingTop > 0 && state.store.rowOf(state.pendingTop) >= 0) {
      views.list.scrollToNumber(state.pendingTop);
      state.pendingTop = 0;
    }
  }
}
