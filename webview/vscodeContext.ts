/**
 * VS Code's native context menu for webviews: a right-click shows the
 * `webview/context` entries of package.json whose `when` clause matches the
 * `data-vscode-context` JSON of the element clicked, merged with its
 * ancestors' (inner keys win). The chosen command receives that merged object.
 * `inspector` identifies this inspector instance, so the host's relayed action
 * reaches only the tab the menu was opened on.
 */
export type VsCodeContext = Record<string, string | number | boolean>;

function newInstanceId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const INSPECTOR_INSTANCE = newInstanceId();

export function setVsCodeContext(element: HTMLElement, context: VsCodeContext): void {
  element.dataset.vscodeContext = JSON.stringify(context);
}

/**
 * The list and the tree: our entries only, without the default Cut/Copy/Paste
 * (they act on a text selection, which rows and fields do not have). The
 * filter box keeps them.
 */
export function setSectionContext(element: HTMLElement, section: string): void {
  setVsCodeContext(element, { inspector: INSPECTOR_INSTANCE, webviewSection: section, preventDefaultContextMenuItems: true });
}
