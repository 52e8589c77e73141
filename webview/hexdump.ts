/**
 * The frame's bytes as the seed tool printed them: an offset, 16 bytes in hex
 * and the same bytes as ASCII (dots for the unprintable).
 *
 * Each column of a line is one text run; only the bytes of the highlighted field
 * get a span each. A span per byte made every packet shown ~1,500 elements to
 * style, lay out and paint, and paging through the list by keyboard rebuilds the
 * hexdump at every press. A click finds its byte from where it landed: the font
 * is monospaced, so a column's width divided by its characters is one character.
 */
import { el } from './dom';
import { hexOffset } from './format';

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

function asciiOf(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/**
 * The byte under character `c` of a line's hex column: bytes 0-7 start at 3 * i,
 * bytes 8-15 one character later (the column has a double space in the middle).
 */
export function hexColumnByte(c: number): number {
  return c < 24 ? Math.floor(c / 3) : 8 + Math.floor(Math.max(0, c - 25) / 3);
}

interface HexLine {
  hex: HTMLElement;
  ascii: HTMLElement;
}

export class HexdumpView {
  readonly element: HTMLElement;
  private bytes: Uint8Array = new Uint8Array(0);
  private lines: HexLine[] = [];
  private highlighted: [number, number] = [0, 0];
  /** Called with the byte's offset when the user clicks a byte (hex or ASCII). */
  onByteClick: (offset: number) => void = () => undefined;

  constructor() {
    this.element = el('div', { class: 'hexdump', role: 'table', 'aria-label': 'Frame bytes' });
    this.element.addEventListener('click', (e) => {
      const offset = this.byteAt(e.target as HTMLElement, e.clientX);
      if (offset >= 0) this.onByteClick(offset);
    });
  }

  show(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.lines = [];
    this.highlighted = [0, 0];
    const digits = bytes.length > 0xffff ? 8 : 4;
    const fragment = document.createDocumentFragment();
    for (let offset = 0; offset < bytes.length; offset += 16) {
      const hex = el('span', { class: 'hex-bytes', role: 'cell' });
      const ascii = el('span', { class: 'hex-ascii', role: 'cell' });
      this.lines.push({ hex, ascii });
      this.fill(offset, 0, 0);
      fragment.append(el('div', { class: 'hex-line', role: 'row', 'data-offset': String(offset) },
        el('span', { class: 'hex-offset', role: 'cell' }, hexOffset(offset, digits)), '  ', hex, '  ', ascii));
    }
    this.element.replaceChildren(fragment);
  }

  /** Marks bytes [offset, offset+length); length 0 clears the mark. */
  highlight(offset: number, length: number): void {
    const [oldStart, oldEnd] = this.highlighted;
    const start = Math.max(0, offset);
    const end = Math.max(start, Math.min(this.bytes.length, offset + length));
    this.highlighted = [start, end];
    // Lines that held the old mark go back to plain text; lines of the new one get spans.
    for (let line = oldStart >> 4; line < (oldEnd + 15) >> 4; line++) this.fill(line * 16, start, end);
    for (let line = start >> 4; line < (end + 15) >> 4; line++) this.fill(line * 16, start, end);
    this.element.querySelector('.byte.highlight')?.scrollIntoView({ block: 'nearest' });
  }

  /** The line at `offset` again, bytes in [start, end) as highlighted spans, the rest as text. */
  private fill(offset: number, start: number, end: number): void {
    const line = this.lines[offset >> 4];
    if (!line) return;
    const hexParts: (string | HTMLElement)[] = [];
    const asciiParts: (string | HTMLElement)[] = [];
    let hexText = '';
    let asciiText = '';
    for (let i = 0; i < 16; i++) {
      const at = offset + i;
      const b = this.bytes[at];
      if (i === 8) hexText += ' ';
      if (b === undefined) {
        // Keep the ASCII column aligned on the last, short line.
        hexText += i === 0 ? '  ' : '   ';
        continue;
      }
      if (i > 0) hexText += ' ';
      if (at < start || at >= end) {
        hexText += HEX[b];
        asciiText += asciiOf(b);
        continue;
      }
      hexParts.push(hexText, el('span', { class: 'byte highlight', 'data-offset': String(at) }, HEX[b] ?? ''));
      asciiParts.push(asciiText, el('span', { class: 'byte highlight', 'data-offset': String(at) }, asciiOf(b)));
      hexText = '';
      asciiText = '';
    }
    line.hex.replaceChildren(...hexParts, hexText);
    line.ascii.replaceChildren(...asciiParts, asciiText);
  }

  /** The offset of the byte under a click at `clientX` on `target`, -1 when it is not on a byte. */
  private byteAt(target: HTMLElement, clientX: number): number {
    const cell = target.closest<HTMLElement>('.hex-bytes, .hex-ascii');
    const line = cell?.closest<HTMLElement>('.hex-line');
    const text = cell?.textContent ?? '';
    if (!cell || !line || text.length === 0) return -1;
    const box = cell.getBoundingClientRect();
    if (box.width <= 0) return -1;
    const c = Math.floor((clientX - box.left) / (box.width / text.length));
    const i = cell.classList.contains('hex-ascii') ? c : hexColumnByte(c);
    const offset = Number(line.dataset.offset) + i;
    return i >= 0 && i < 16 && offset < this.bytes.length ? offset : -1;
  }
}
