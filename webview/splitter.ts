/**
 * A draggable divider: dragging it sizes the pane before it (the packet list
 * above the details, the layer tree beside or above the hexdump). The axis is
 * read from the parent's flex direction when the drag starts, so the same
 * divider works when a narrow editor stacks the panes.
 */
const MIN_PANE = 60;

export function makeSplitter(handle: HTMLElement, pane: HTMLElement, onResized: () => void): void {
  handle.setAttribute('role', 'separator');
  handle.tabIndex = -1;
  handle.addEventListener('pointerdown', (down) => {
    const parent = handle.parentElement;
    if (!parent || down.button !== 0) return;
    down.preventDefault();
    const vertical = getComputedStyle(parent).flexDirection.startsWith('column');
    const start = pane.getBoundingClientRect();
    const available = vertical ? parent.getBoundingClientRect().height : parent.getBoundingClientRect().width;
    const origin = vertical ? down.clientY : down.clientX;
    const startSize = vertical ? start.height : start.width;
    handle.setPointerCapture(down.pointerId);
    handle.classList.add('dragging');
    const move = (e: PointerEvent): void => {
      const size = Math.max(MIN_PANE, Math.min(available - MIN_PANE, startSize + (vertical ? e.clientY : e.clientX) - origin));
      pane.style.flex = `0 0 ${Math.round(size)}px`;
      onResized();
    };
    const up = (): void => {
      handle.classList.remove('dragging');
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', up);
  });
}
