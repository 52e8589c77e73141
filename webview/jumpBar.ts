/**
 * The bar under the toolbar for Ctrl+F (find a packet by display filter, hex
 * bytes or string) and Ctrl+G (go to a packet number). Escape closes it and
 * gives the focus back to the list.
 */
import { el, iconButton } from './dom';
import type { SearchMode } from './packetSearch';

export interface JumpBarActions {
  /** Selects the next (or previous) match; returns a message to show, '' when found. */
  find(mode: SearchMode, text: string, backwards: boolean): string;
  /** Selects packet `n`; returns a message to show, '' when done. */
  goTo(n: number): string;
  closed(): void;
}

export class JumpBar {
  readonly element: HTMLElement;
  private readonly findRow: HTMLElement;
  private readonly goToRow: HTMLElement;
  private readonly modeSelect: HTMLSelectElement;
  private readonly findInput: HTMLInputElement;
  private readonly goToInput: HTMLInputElement;
  private readonly message: HTMLElement;

  constructor(private readonly actions: JumpBarActions) {
    this.modeSelect = el('select', { id: 'find-mode', 'aria-label': 'Find by' },
      el('option', { value: 'filter' }, 'Display filter'),
      el('option', { value: 'hex' }, 'Hex value'),
      el('option', { value: 'string' }, 'String'));
    this.findInput = el('input', { id: 'find-input', type: 'text', spellcheck: 'false', 'aria-label': 'Find packet', placeholder: 'Find packet…' });
    const previous = iconButton('arrow-up', 'Previous match (Shift+Enter)', 'find-previous');
    const next = iconButton('arrow-down', 'Next match (Enter)', 'find-next');
    previous.addEventListener('click', () => this.runFind(true));
    next.addEventListener('click', () => this.runFind(false));
    this.findInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.runFind(e.shiftKey);
    });
    this.findRow = el('div', { class: 'jump-row', role: 'search', 'aria-label': 'Find packet' }, el('label', { for: 'find-input' }, 'Find'), this.modeSelect, this.findInput, previous, next);

    this.goToInput = el('input', { id: 'goto-input', type: 'text', inputmode: 'numeric', 'aria-label': 'Go to packet number', placeholder: 'Packet number' });
    this.goToInput.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      const text = this.goToInput.value.trim();
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      this.show(Number.isSafeInteger(n) && n > 0 ? this.actions.goTo(n) : `'${text}' is not a packet number`);
    });
    this.goToRow = el('div', { class: 'jump-row' }, el('label', { for: 'goto-input' }, 'Go to packet'), this.goToInput);

    const close = iconButton('close', 'Close (Escape)', 'jump-close');
    close.addEventListener('click', () => this.close());
    this.message = el('span', { class: 'jump-message', id: 'jump-message', role: 'status' });
    this.element = el('div', { class: 'jump-bar' }, this.findRow, this.goToRow, this.message, close);
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    this.element.hidden = true;
  }

  openFind(mode?: SearchMode, text?: string): void {
    this.open(this.findRow, this.findInput);
    if (mode) this.modeSelect.value = mode;
    if (text !== undefined) this.findInput.value = text;
  }

  openGoTo(): void {
    this.open(this.goToRow, this.goToInput);
  }

  close(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.actions.closed();
  }

  private open(row: HTMLElement, input: HTMLInputElement): void {
    this.element.hidden = false;
    this.findRow.hidden = row !== this.findRow;
    this.goToRow.hidden = row !== this.goToRow;
    this.show('');
    input.focus();
    input.select();
  }

  private runFind(backwards: boolean): void {
    this.show(this.actions.find(this.modeSelect.value as SearchMode, this.findInput.value, backwards));
  }

  private show(message: string): void {
    this.message.textContent = message;
    this.message.hidden = message === '';
  }
}
