/**
 * Follow TCP/UDP/TLS Stream: the conversation's payload (TLS: its decrypted data), side A (the client) and side B in
 * two colours, as text or as a hex dump, with Save Raw. Large streams show their first
 * RENDER_LIMIT bytes (the DOM would not cope with 100 MB); Save Raw writes everything.
 */
import { hexdumpLines } from '../src/core/hexdump';
import type { FollowedStream } from '../src/core/stream/followStream';
import { el } from './dom';
import { formatCount } from './format';
import { textBlocks, streamText } from './followText';
import { OverlayPanel } from './overlayPanel';

const RENDER_LIMIT = 1024 * 1024;
/** A block at least this long is laid out only when in view (`.follow-large`). */
const LARGE_BLOCK_CHARS = 16 * 1024;
export type SaveWhich = 'both' | 'a' | 'b';

export interface FollowViewHost {
  /** Posts the bytes to the host, which asks where to save them. */
  saveBytes(name: string, bytes: Uint8Array): void;
  /** Shows the stream's packets in the list (a display filter). */
  filterStream(filter: string): void;
}

/** Both sides in sending order as one byte array (Wireshark's "Entire conversation"). */
export function entireConversation(stream: FollowedStream): Uint8Array {
  const out = new Uint8Array(stream.sides[0].length + stream.sides[1].length);
  let at = 0;
  for (const chunk of stream.chunks) {
    out.set(stream.sides[chunk.side].range(chunk.start, chunk.length), at);
    at += chunk.length;
  }
  return out;
}

export function showFollowView(stream: FollowedStream, host: FollowViewHost): OverlayPanel {
  const kind = stream.protocol.toUpperCase();
  // A TLS stream is numbered by its TCP stream, as in Wireshark's Follow TLS Stream.
  const field = stream.protocol === 'udp' ? 'udp' : 'tcp';
  const panel = new OverlayPanel('follow-view', `Follow ${kind} Stream (${field}.stream eq ${stream.index})`);
  const [a, b] = stream.endpoints;
  const mode = el('select', { id: 'follow-mode', 'aria-label': 'Show as' }, el('option', { value: 'text' }, 'Text'), el('option', { value: 'hex' }, 'Hex dump'));
  const which = el('select', { id: 'follow-which', 'aria-label': 'Direction' },
    el('option', { value: 'both' }, `Entire conversation (${formatCount(stream.sides[0].length + stream.sides[1].length)} bytes)`),
    el('option', { value: 'a' }, `${a} → ${b} (${formatCount(stream.sides[0].length)} bytes)`),
    el('option', { value: 'b' }, `${b} → ${a} (${formatCount(stream.sides[1].length)} bytes)`));
  const save = el('button', { type: 'button', id: 'follow-save', class: 'text-button' }, 'Save Raw…');
  const filter = el('button', { type: 'button', id: 'follow-filter', class: 'text-button' }, 'Filter on this stream');
  panel.controls.append(mode, which, save, filter);
  const summary = el('div', { class: 'follow-summary', id: 'follow-summary' });
  const content = el('div', { class: 'follow-content', id: 'follow-content', tabindex: '0' });
  panel.body.append(summary, content);

  const render = (): void => {
    content.replaceChildren();
    const show = which.value as SaveWhich;
    let budget = RENDER_LIMIT;
    for (const chunk of stream.chunks) {
      if (budget <= 0) break;
      if ((show === 'a' && chunk.side !== 0) || (show === 'b' && chunk.side !== 1)) continue;
      if (chunk.missingBefore > 0) content.append(el('div', { class: 'follow-missing' }, `[${formatCount(chunk.missingBefore)} bytes missing in capture]`));
      const bytes = stream.sides[chunk.side].range(chunk.start, Math.min(chunk.length, budget));
      budget -= bytes.length;
      const text = mode.value === 'hex' ? hexdumpLines(bytes).join('\n') : streamText(bytes);
      const side = `follow-chunk follow-side-${chunk.side === 0 ? 'a' : 'b'}`;
      const title = `${chunk.side === 0 ? a : b}, up to packet ${chunk.packet}`;
      // Only large blocks skip layout out of view: a placeholder height on each of many small turns would make the scrollbar lie.
      for (const block of textBlocks(text)) content.append(el('pre', { class: block.length >= LARGE_BLOCK_CHARS ? `${side} follow-large` : side, title }, block));
    }
    const total = stream.sides[0].length + stream.sides[1].length;
    const missing = stream.missing[0] + stream.missing[1];
    summary.replaceChildren(
      el('span', { class: 'follow-side-a' }, `${a}: ${formatCount(stream.sides[0].length)} bytes`), ' · ',
      el('span', { class: 'follow-side-b' }, `${b}: ${formatCount(stream.sides[1].length)} bytes`),
      missing > 0 ? ` · ${formatCount(missing)} bytes missing` : '',
      total > RENDER_LIMIT ? ` · showing the first ${formatCount(RENDER_LIMIT)} bytes; Save Raw writes all` : '');
  };
  mode.addEventListener('change', render);
  which.addEventListener('change', render);
  save.addEventListener('click', () => {
    const w = which.value as SaveWhich;
    const bytes = w === 'both' ? entireConversation(stream) : stream.sides[w === 'a' ? 0 : 1].all();
    host.saveBytes(`${stream.protocol}-stream-${stream.index}${w === 'both' ? '' : `-${w === 'a' ? 'client' : 'server'}`}.bin`, bytes);
  });
  filter.addEventListener('click', () => {
    host.filterStream(`${field}.stream == ${stream.index}`);
    panel.close();
  });
  render();
  return panel;
}
