/** Tiny DOM builder: no innerHTML anywhere, so captured text can never become markup. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') element.className = value;
    else element.setAttribute(name, value);
  }
  for (const child of children) element.append(child);
  return element;
}

/** A toolbar button with a codicon and an accessible name. */
export function iconButton(icon: string, label: string, id: string): HTMLButtonElement {
  const button = el('button', { class: 'icon-button', type: 'button', id, title: label, 'aria-label': label });
  button.append(el('i', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }));
  return button;
}
