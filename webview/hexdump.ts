/**
 * The frame's bytes as the seed tool printed them: an offset, 16 bytes in hex
 * and the same bytes as ASCII (dots for the unprintable). Each byte is its own
 * span so a field's bytes can be highlighted in both columns.
 */
import { el } from './dom';
import { hex2, hexOffset } from './format';

export class HexdumpView {
  readonly element: HTMLElement;
  private hexSpans: HTMLElement[] = [];
  private asciiSpans: HTMLElement[] = [];
  private highlighted: [number, number] = [0, 0];
  /** Called with the byte's offset when the user clicks a byte (hex or ASCII). */
  onByteClick: (offset: number) => void = () => undefined;

  constructor() {
    this.element = el('div', { class: 'hexdump', role: 'table', 'aria-label': 'Frame bytes' });
    this.element.addEventListener('click', (e) => {
      const span = (e.target as HTMLElement).closest<HTMLElement>('.byte');
      const offset = Number(span?.dataset.offset ?? NaN);
      if (Number.isInteger(offset)) this.onByteClick(offset);
    });
  }

  show(bytes: Uint8Array): void {
    this.element.replaceChildren();
    this.hexSpans = [];
    this.asciiSpans = [];
    this.highlighted = [0, 0];
    const digits = bytes.length > 0xffff ? 8 : 4;
    const fragment = document.createDocumentFragment();
    for (let offset = 0; offset < bytes.length; offset += 16) {
      const line = el('div', { class: 'hex-line', role: 'row' });
      const hex = el('span', { class: 'hex-bytes', role: 'cell' });
      const ascii = el('span', { class: 'hex-ascii', role: 'cell' });
      for (let i = 0; i < 16; i++) {
        const b = bytes[offset + i];
        if (i === 8) hex.append(' ');
        if (b === undefined) {
          // Keep the ASCII column aligned on the last, short line.
          hex.append(i === 0 ? '  ' : '   ');
          continue;
        }
        const h = el('span', { class: 'byte', 'data-offset': String(offset + i) }, hex2(b));
        const a = el('span', { class: 'byte', 'data-offset': String(offset + i) }, b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
        if (i > 0) hex.append(' ');
        hex.append(h);
        ascii.append(a);
        this.hexSpans.push(h);
        this.asciiSpans.push(a);
      }
      line.append(el('span', { class: 'hex-offset', role: 'cell' }, hexOffset(offset, digits)), '  ', hex, '  ', ascii);
      fragment.append(line);
    }
    this.element.append(fragment);
  }

  /** Marks bytes [offset, offset+length); length 0 clears the mark. */
  highlight(offset: number, length: number): void {
    const [oldStart, oldEnd] = this.highlighted;
    for (let i = oldStart; i < oldEnd; i++) {
      this.hexSpans[i]?.classList.remove('highlight');
      this.asciiSpans[i]?.classList.remove('highlight');
    }
    const start = Math.max(0, offset);
    const end = Math.min(this.hexSpans.length, offset + length);
    for (let i = start; i < end; i++) {
      this.hexSpans[i]?.classList.add('highlight');
      this.asciiSpans[i]?.classList.add('highlight');
    }
    this.highlighted = [start, Math.max(start, end)];
    this.hexSpans[start]?.scrollIntoView({ block: 'nearest' });
  }
}
