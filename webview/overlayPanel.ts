/**
 * A panel over the packet list for the conversation views (Follow Stream,
 * Conversations, HTTP exchanges): a title, a row of controls, a body, a close
 * button; Escape closes it. One at a time: opening another replaces it.
 */
import { el } from './dom';

let current: OverlayPanel | undefined;

export class OverlayPanel {
  readonly element: HTMLElement;
  readonly controls: HTMLElement;
  readonly body: HTMLElement;
  private readonly title: HTMLElement;

  constructor(id: string, title: string, private readonly onClose: () => void = () => undefined) {
    current?.close();
    this.title = el('h2', { class: 'overlay-title' }, title);
    const close = el('button', { class: 'icon-button overlay-close', type: 'button', title: 'Close (Escape)', 'aria-label': 'Close' });
    close.append(el('i', { class: 'codicon codicon-close', 'aria-hidden': 'true' }));
    close.addEventListener('click', () => this.close());
    this.controls = el('div', { class: 'overlay-controls' });
    this.body = el('div', { class: 'overlay-body' });
    this.element = el('section', { class: 'overlay-panel', id, role: 'dialog', 'aria-label': title },
      el('div', { class: 'overlay-header' }, this.title, this.controls, close), this.body);
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    document.body.append(this.element);
    close.focus();
    OverlayPanel.opened(this);
  }

  private static opened(panel: OverlayPanel): void {
    current = panel;
  }

  setTitle(text: string): void {
    this.title.textContent = text;
    this.element.setAttribute('aria-label', text);
  }

  close(): void {
    if (current === this) current = undefined;
    this.element.remove();
    this.onClose();
  }
}

export function closeOverlay(): void {
  current?.close();
}
