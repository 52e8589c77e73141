/** The text Follow Stream draws, apart from the DOM (Node tests read it). */

/** Printable text of the bytes: line breaks and tabs kept, other control bytes as '.'. */
export function streamText(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const part = bytes.subarray(i, i + 8192);
    const codes = Array.from(part, (b) => (b === 10 || b === 13 || b === 9 || (b >= 32 && b < 127) ? b : 46));
    text += String.fromCharCode(...codes);
  }
  return text;
}

/**
 * A chunk's text is drawn in blocks of about this many characters, each laid out only
 * when it scrolls into view (`content-visibility: auto`): 1 MB of text in one block took
 * ~0.4 s of layout before the view could show its first lines.
 */
const BLOCK_CHARS = 64 * 1024;

/** `text` cut into blocks of at most `max` characters, each ending at a line break when one is near the end. */
export function textBlocks(text: string, max = BLOCK_CHARS): string[] {
  const blocks: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    const limit = start + max;
    const newline = text.lastIndexOf('\n', limit - 1);
    // No line break in the block's last quarter (binary data, a long line): cut at the limit.
    const end = newline >= limit - max / 4 ? newline + 1 : limit;
    blocks.push(text.slice(start, end));
    start = end;
  }
  blocks.push(text.slice(start));
  return blocks;
}
