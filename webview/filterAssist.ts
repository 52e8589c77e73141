/**
 * Help with the display filter box: field names completed as they are typed
 * (Up/Down to choose, Tab or Enter to take), the history of applied filters
 * (Down in an empty box), and a list of every supported field (the ? button)
 * whose entries insert the field.
 */
import { FIELD_HELP } from '../src/core/filter/wiresharkFields';
import { el, iconButton } from './dom';

const MAX_SUGGESTIONS = 8;
const MAX_HISTORY = 20;

interface Suggestion {
  /** Replaces the word being typed (a field), or the whole box (history). */
  text: string;
  note: string;
  whole: boolean;
}

export class FilterAssist {
  readonly helpButton: HTMLButtonElement;
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly help: HTMLElement;
  private suggestions: Suggestion[] = [];
  private active = -1;

  constructor(
    private readonly input: HTMLInputElement,
    private history: string[],
    private readonly apply: (text: string) => void,
  ) {
    this.list = el('div', { class: 'filter-suggestions', id: 'filter-suggestions', role: 'listbox', 'aria-label': 'Filter suggestions' });
    this.list.hidden = true;
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-controls', 'filter-suggestions');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-expanded', 'false');
    this.help = el('div', { class: 'filter-help', id: 'filter-help', role: 'dialog', 'aria-label': 'Display filter fields' });
    this.help.hidden = true;
    this.helpButton = iconButton('question', 'Display filter fields', 'filter-help-button');
    this.helpButton.addEventListener('click', () => this.toggleHelp());
    this.element = el('div', { class: 'filter-assist' }, this.list, this.help);

    this.input.addEventListener('input', () => this.suggestFields());
    // Capture: runs before the toolbar's Enter handler, which must not apply a half-typed word.
    this.input.addEventListener('keydown', (e) => this.onKey(e), true);
    this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  get entries(): readonly string[] {
    return this.history;
  }

  /** Remembers an applied filter, newest first. */
  remember(text: string): void {
    const filter = text.trim();
    if (!filter) return;
    this.history = [filter, ...this.history.filter((h) => h !== filter)].slice(0, MAX_HISTORY);
  }

  private onKey(e: KeyboardEvent): void {
    const open = !this.list.hidden;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!open) {
        if (e.key === 'ArrowDown' && this.input.value.trim() === '') this.showHistory();
        else return;
      } else {
        this.move(e.key === 'ArrowDown' ? 1 : -1);
      }
      e.preventDefault();
    } else if (open && ((e.key === 'Enter' && this.active >= 0) || (e.key === 'Tab' && !e.shiftKey && this.suggestions.length > 0))) {
      this.take(this.suggestions[Math.max(0, this.active)] as Suggestion);
      e.preventDefault();
      e.stopImmediatePropagation();
    } else if (e.key === 'Escape' && open) {
      this.close();
      e.stopPropagation();
    }
  }

  /** The field-name part being typed just before the caret, and where it starts. */
  private currentWord(): { word: string; start: number } {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, caret);
    const match = /[A-Za-z_][A-Za-z0-9_.]*$/.exec(before);
    return match ? { word: match[0], start: caret - match[0].length } : { word: '', start: caret };
  }

  private suggestFields(): void {
    const { word } = this.currentWord();
    const lower = word.toLowerCase();
    // A complete name (`tcp`, `udp`) needs no completion: the list would only cover the packets.
    const complete = FIELD_HELP.some(([name]) => name === lower);
    const matches = lower.length === 0 || complete ? [] : FIELD_HELP.filter(([name]) => name.startsWith(lower)).slice(0, MAX_SUGGESTIONS);
    this.show(matches.map(([name, note]) => ({ text: name, note, whole: false })));
  }

  private showHistory(): void {
    this.show(this.history.slice(0, MAX_SUGGESTIONS).map((text) => ({ text, note: 'recent', whole: true })), 0);
  }

  /**
   * Field completions open with nothing chosen, so Enter still applies what was
   * typed (`udp` must not become `udp.port`); Down chooses, Tab takes the first.
   * The history list opens on Down, with its first entry chosen.
   */
  private show(suggestions: Suggestion[], chosen = -1): void {
    this.suggestions = suggestions;
    this.active = suggestions.length > 0 ? chosen : -1;
    this.list.replaceChildren(...suggestions.map((s, i) => {
      const option = el('div', { class: 'suggestion', role: 'option', id: `filter-suggestion-${i}` }, el('span', { class: 'suggestion-text' }, s.text), el('span', { class: 'suggestion-note' }, s.note));
      // mousedown, not click: the input keeps the focus.
      option.addEventListener('mousedown', (e) => {
        e.preventDefault();
        this.take(s);
      });
      return option;
    }));
    this.list.hidden = suggestions.length === 0;
    this.input.setAttribute('aria-expanded', String(!this.list.hidden));
    this.highlight();
  }

  private move(step: number): void {
    if (this.suggestions.length === 0) return;
    const from = this.active < 0 && step < 0 ? 0 : this.active;
    this.active = (from + step + this.suggestions.length) % this.suggestions.length;
    this.highlight();
  }

  private highlight(): void {
    this.list.querySelectorAll('.suggestion').forEach((option, i) => {
      option.classList.toggle('active', i === this.active);
      option.setAttribute('aria-selected', String(i === this.active));
    });
    if (this.active >= 0) this.input.setAttribute('aria-activedescendant', `filter-suggestion-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  private take(suggestion: Suggestion): void {
    if (suggestion.whole) {
      this.input.value = suggestion.text;
      this.close();
      this.apply(suggestion.text);
      return;
    }
    const { start } = this.currentWord();
    const caret = this.input.selectionStart ?? this.input.value.length;
    const value = this.input.value;
    const insert = `${suggestion.text} `;
    this.input.value = value.slice(0, start) + insert + value.slice(caret);
    const at = start + insert.length;
    this.input.setSelectionRange(at, at);
    this.close();
    this.input.focus();
  }

  private close(): void {
    this.list.hidden = true;
    this.suggestions = [];
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  private toggleHelp(): void {
    if (!this.help.hidden) {
      this.help.hidden = true;
      return;
    }
    const rows = FIELD_HELP.map(([name, note]) => {
      const insert = el('button', { type: 'button', class: 'field-insert' }, name);
      insert.addEventListener('click', () => {
        const value = this.input.value.trimEnd();
        this.input.value = value ? `${value} and ${name} ` : `${name} `;
        this.help.hidden = true;
        this.input.focus();
      });
      return el('tr', {}, el('td', {}, insert), el('td', {}, note));
    });
    const operators = el('p', { class: 'filter-help-operators' }, 'Operators: == != < <= > >= contains matches in {a b..c}, and or not ( ). Values: 80, 172.17.0.2, 10.0.0.0/8, fd00::1, "text", 0x012.');
    this.help.replaceChildren(operators, el('table', {}, ...rows));
    this.help.hidden = false;
  }
}
