/**
 * The inspector's keyboard shortcuts, kept from VS Code (whose Find and Go to
 * Line mean nothing here): Ctrl+F Find, Ctrl+G Go to, Ctrl+M Mark, and Ctrl+C
 * copying the focused field ("name: value") or the selected packet's summary line.
 */
export interface KeyTargets {
  openFind(): void;
  openGoTo(): void;
  /** 0 when nothing is selected. */
  selectedNumber(): number;
  toggleMark(packetNumber: number): void;
  /** What Ctrl+C copies when no text is selected; undefined: nothing. */
  copyText(): string | undefined;
}

export function listenToKeys(targets: KeyTargets): void {
  document.addEventListener('keydown', (e) => onKey(targets, e));
  document.addEventListener('copy', (e) => onCopy(targets, e));
}

function onKey(targets: KeyTargets, e: KeyboardEvent): void {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || e.altKey || e.shiftKey) return;
  const key = e.key.toLowerCase();
  if (key === 'f') targets.openFind();
  else if (key === 'g') targets.openGoTo();
  else if (key === 'm' && targets.selectedNumber() > 0 && !isTextInput(e.target)) targets.toggleMark(targets.selectedNumber());
  else return;
  e.preventDefault();
  e.stopPropagation();
}

function onCopy(targets: KeyTargets, e: ClipboardEvent): void {
  // Text the user selected (or typed in a box) is copied as the browser does.
  if (isTextInput(document.activeElement) || (document.getSelection()?.toString() ?? '') !== '') return;
  const text = targets.copyText();
  if (text === undefined || !e.clipboardData) return;
  e.clipboardData.setData('text/plain', text);
  e.preventDefault();
}

function isTextInput(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}
