/**
 * Top of the inspector: actions (stop, follow, clear, save), the display
 * filter box with its error line, live counters, the memory notice and the
 * inline "save which packets?" choice.
 */
import type { SaveFormat } from '../src/protocol/webviewMessages';
import { el, iconButton } from './dom';
import { FilterAssist } from './filterAssist';
import { formatBytes, formatCount } from './format';

export interface ToolbarActions {
  stop(): void;
  /** The same capture again, in this tab. */
  captureAgain(): void;
  toggleFollow(): void;
  clear(): void;
  save(format: SaveFormat): void;
  /** `committed`: the user pressed Enter (or picked a recent filter), not just typed. */
  filterChanged(text: string, committed: boolean): void;
}

export interface Counters {
  packets: number;
  shown: number;
  filtered: boolean;
  bytes: number;
  /** Packets per second, undefined when not capturing. */
  rate: number | undefined;
  kernelDrops: number;
  droppedFromMemory: number;
  /** Packets in the spool when it reached its size cap; undefined while it grows. */
  spoolCappedAt: number | undefined;
}

const FILTER_DEBOUNCE_MS = 100;

export class Toolbar {
  readonly element: HTMLElement;
  readonly filterInput: HTMLInputElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly againButton: HTMLButtonElement;
  private readonly followButton: HTMLButtonElement;
  private readonly filterError: HTMLElement;
  private readonly counters: Record<keyof Omit<Counters, 'filtered' | 'spoolCappedAt'>, HTMLElement>;
  private readonly spoolCapped: HTMLElement;
  private readonly filterStale: HTMLElement;
  readonly assist: FilterAssist;
  private readonly memoryNotice: HTMLElement;
  private readonly saveChoice: HTMLElement;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly actionNotice: HTMLElement;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private saveChoiceButtons: { all: HTMLButtonElement; shown: HTMLButtonElement } | undefined;

  constructor(private readonly actions: ToolbarActions, filterHistory: string[]) {
    this.stopButton = iconButton('debug-stop', 'Stop capture', 'stop-button');
    this.followButton = iconButton('arrow-down', 'Follow new packets (autoscroll)', 'follow-button');
    const clearButton = iconButton('clear-all', 'Clear packets', 'clear-button');
    const saveJson = iconButton('json', 'Save as JSON', 'save-json-button');
    const savePcap = iconButton('save', 'Save as pcap', 'save-pcap-button');
    this.againButton = iconButton('debug-restart', 'Capture again in this tab', 'capture-again-button');
    this.againButton.hidden = true;
    this.stopButton.addEventListener('click', () => actions.stop());
    this.againButton.addEventListener('click', () => actions.captureAgain());
    this.followButton.addEventListener('click', () => actions.toggleFollow());
    clearButton.addEventListener('click', () => actions.clear());
    saveJson.addEventListener('click', () => actions.save('json'));
    savePcap.addEventListener('click', () => actions.save('pcap'));

    this.filterInput = el('input', {
      class: 'filter-input',
      id: 'filter-input',
      type: 'text',
      spellcheck: 'false',
      placeholder: 'Display filter, e.g. ip.addr == 172.17.0.2 and tcp.port == 80',
      'aria-label': 'Display filter',
      'aria-describedby': 'filter-error',
    });
    this.filterInput.addEventListener('input', () => {
      if (this.filterTimer !== undefined) clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => actions.filterChanged(this.filterInput.value, false), FILTER_DEBOUNCE_MS);
    });
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        if (this.filterTimer !== undefined) clearTimeout(this.filterTimer);
        actions.filterChanged(this.filterInput.value, true);
      }
    });
    this.assist = new FilterAssist(this.filterInput, filterHistory, (text) => actions.filterChanged(text, true));
    const filterBox = el('div', { class: 'filter-box' }, el('i', { class: 'codicon codicon-filter', 'aria-hidden': 'true' }), this.filterInput, this.assist.helpButton, this.assist.element);
    this.filterError = el('div', { class: 'filter-error', id: 'filter-error', role: 'alert' });
    this.filterError.hidden = true;
    this.filterStale = el('div', { class: 'filter-stale', id: 'filter-stale', role: 'status' });
    this.filterStale.hidden = true;

    const counter = (name: string, label: string): HTMLElement => el('span', { class: 'counter', 'data-counter': name, title: label });
    this.counters = {
      packets: counter('packets', 'Packets received'),
      shown: counter('shown', 'Packets shown by the filter'),
      bytes: counter('bytes', 'Bytes received (on the wire)'),
      rate: counter('rate', 'Packets per second over the last 5 seconds'),
      kernelDrops: counter('kernelDrops', 'Packets the kernel dropped before tcpdump saw them'),
      droppedFromMemory: counter('droppedFromMemory', 'Oldest packets dropped because of the in-memory limit'),
    };
    this.spoolCapped = counter('spoolCapped', 'The spool on disk reached its size cap (dockerNetworkCapture.maxSpoolMB): Save as pcap saves the packets up to this one');
    this.spoolCapped.classList.add('warn');
    this.spoolCapped.hidden = true;
    const counterBar = el('div', { class: 'counters', 'aria-live': 'off' }, ...Object.values(this.counters), this.spoolCapped);

    this.memoryNotice = el('div', { class: 'notice memory-notice', role: 'status' });
    this.memoryNotice.hidden = true;
    this.saveChoice = el('div', { class: 'notice save-choice', role: 'dialog', 'aria-label': 'Save which packets' });
    this.saveChoice.hidden = true;

    this.actionNotice = el('div', { class: 'notice action-notice', id: 'action-notice', role: 'status' });
    this.actionNotice.hidden = true;

    const actionsBar = el('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Capture actions' }, this.stopButton, this.againButton, this.followButton, clearButton, saveJson, savePcap);
    this.element = el('div', { class: 'toolbar' },
      el('div', { class: 'toolbar-row' }, actionsBar, filterBox, counterBar),
      this.filterError, this.filterStale, this.saveChoice, this.memoryNotice, this.actionNotice);
  }

  /** A short-lived line saying why a menu entry did nothing. */
  showNotice(message: string): void {
    this.actionNotice.textContent = message;
    this.actionNotice.hidden = false;
    if (this.noticeTimer !== undefined) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.actionNotice.hidden = true;
    }, 4000);
  }

  setStopVisible(visible: boolean): void {
    this.stopButton.hidden = !visible;
  }

  setCaptureAgainVisible(visible: boolean): void {
    this.againButton.hidden = !visible;
  }

  setFollow(follow: boolean): void {
    this.followButton.classList.toggle('checked', follow);
    this.followButton.setAttribute('aria-pressed', String(follow));
    this.followButton.title = follow ? 'Following new packets: click to pause autoscroll' : 'Autoscroll paused: click to follow new packets';
  }

  setFilterText(text: string): void {
    this.filterInput.value = text;
  }

  /**
   * An invalid filter's error, and what the list shows meanwhile: the result
   * of `applied`, the last valid filter (never silently: the line says so).
   */
  showFilterError(message: string | undefined, applied = ''): void {
    this.filterError.hidden = message === undefined;
    this.filterError.textContent = message ?? '';
    this.filterStale.hidden = message === undefined;
    this.filterStale.textContent = applied ? `The list still shows the previous filter: ${applied}` : 'The list shows every packet (no filter applied)';
    this.filterInput.classList.toggle('invalid', message !== undefined);
    this.filterInput.setAttribute('aria-invalid', String(message !== undefined));
  }

  setCounters(c: Counters): void {
    this.counters.packets.textContent = `${formatCount(c.packets)} packets`;
    this.counters.shown.hidden = !c.filtered;
    this.counters.shown.textContent = `${formatCount(c.shown)} shown`;
    this.counters.bytes.textContent = formatBytes(c.bytes);
    this.counters.rate.hidden = c.rate === undefined;
    this.counters.rate.textContent = `${formatCount(Math.round(c.rate ?? 0))} pkt/s`;
    this.counters.kernelDrops.textContent = `${formatCount(c.kernelDrops)} kernel drops`;
    this.counters.kernelDrops.classList.toggle('warn', c.kernelDrops > 0);
    this.counters.droppedFromMemory.hidden = c.droppedFromMemory === 0;
    this.counters.droppedFromMemory.textContent = `${formatCount(c.droppedFromMemory)} dropped from memory`;
    this.spoolCapped.hidden = c.spoolCappedAt === undefined;
    this.spoolCapped.textContent = `spool full at ${formatCount(c.spoolCappedAt ?? 0)} packets`;
    this.memoryNotice.hidden = c.droppedFromMemory === 0;
    this.memoryNotice.textContent = `${formatCount(c.droppedFromMemory)} older packets dropped (memory limit)`;
  }

  /** Keeps the open "save which packets?" choice's counts current. */
  updateSaveChoice(all: number, shown: number): void {
    if (!this.saveChoiceButtons) return;
    const allText = `All packets (${formatCount(all)})`;
    const shownText = `Only ${formatCount(shown)} shown`;
    if (this.saveChoiceButtons.all.textContent !== allText) this.saveChoiceButtons.all.textContent = allText;
    if (this.saveChoiceButtons.shown.textContent !== shownText) this.saveChoiceButtons.shown.textContent = shownText;
  }

  /** Asks inline whether to save everything or only the filtered rows. */
  askWhatToSave(format: SaveFormat, all: number, shown: number, choose: (onlyShown: boolean) => void): void {
    const done = (onlyShown: boolean | undefined): void => {
      this.saveChoice.hidden = true;
      this.saveChoiceButtons = undefined;
      this.saveChoice.replaceChildren();
      if (onlyShown !== undefined) choose(onlyShown);
    };
    const allButton = el('button', { type: 'button', class: 'text-button', id: 'save-all' });
    const shownButton = el('button', { type: 'button', class: 'text-button primary', id: 'save-shown' });
    this.saveChoiceButtons = { all: allButton, shown: shownButton };
    this.updateSaveChoice(all, shown);
    const cancelButton = el('button', { type: 'button', class: 'text-button', id: 'save-cancel' }, 'Cancel');
    allButton.addEventListener('click', () => done(false));
    shownButton.addEventListener('click', () => done(true));
    cancelButton.addEventListener('click', () => done(undefined));
    this.saveChoice.replaceChildren(el('span', {}, `Save as ${format === 'json' ? 'JSON' : 'pcap'}:`), shownButton, allButton, cancelButton);
    this.saveChoice.hidden = false;
    shownButton.focus();
  }
}
