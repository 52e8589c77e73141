/**
 * Ctrl+F in the inspector, as Wireshark's Find Packet: the next shown packet
 * (after the selection, wrapping around) that matches a display filter, whose
 * bytes contain a hex value, or whose bytes contain a string (ASCII letters
 * matched without regard to case).
 */
import { compileFilter, type CompileContext, type PacketPredicate } from '../src/core/filter/index';
import type { PacketColumns, PacketStore } from '../src/core/packetStore';

export type SearchMode = 'filter' | 'hex' | 'string';

export type CompiledSearch = { ok: true; test: PacketPredicate } | { ok: false; message: string };

export function compileSearch(mode: SearchMode, text: string, context: CompileContext): CompiledSearch {
  if (text.trim() === '') return { ok: false, message: 'Type what to find' };
  switch (mode) {
    case 'filter': {
      const compiled = compileFilter(text, context);
      if (!compiled.ok) return { ok: false, message: compiled.message };
      return { ok: true, test: compiled.predicate ?? (() => true) };
    }
    case 'hex': {
      const digits = text.replace(/[\s:.-]/g, '');
      if (!/^([0-9a-fA-F]{2})+$/.test(digits)) return { ok: false, message: `'${text}' is not a hex byte sequence, e.g. 47 45 54 or 474554` };
      const needle = Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
      return { ok: true, test: (c, s) => frameContains(c, s, needle, false) };
    }
    case 'string': {
      const needle = lowerAscii(new TextEncoder().encode(text));
      return { ok: true, test: (c, s) => frameContains(c, s, needle, true) };
    }
  }
}

/**
 * Index (among `count` shown rows) of the next match after `from`, or before
 * it when `backwards`, wrapping around; -1 when nothing matches.
 */
export function findShownIndex(
  store: PacketStore,
  shown: { count: number; numberAt(index: number): number },
  test: PacketPredicate,
  from: number,
  backwards: boolean,
): number {
  const count = shown.count;
  for (let step = 1; step <= count; step++) {
    const index = (((from + (backwards ? -step : step)) % count) + count) % count;
    const n = shown.numberAt(index);
    const row = store.rowOf(n);
    if (row >= 0 && test(store.columns, store.slot(row), n)) return index;
  }
  return -1;
}

function lowerAscii(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b));
}

function frameContains(c: PacketColumns, s: number, needle: Uint8Array, foldCase: boolean): boolean {
  const chunk = c.chunks[c.chunkIndex[s] ?? 0];
  if (!chunk) return (c.missingBytes(s), false);
  const start = c.chunkOffset[s] ?? 0;
  const last = start + (c.capturedLength[s] ?? 0) - needle.length;
  for (let i = start; i <= last; i++) {
    let j = 0;
    while (j < needle.length) {
      let b = chunk[i + j] ?? 0;
      if (foldCase && b >= 0x41 && b <= 0x5a) b += 32;
      if (b !== needle[j]) break;
      j++;
    }
    if (j === needle.length) return true;
  }
  return false;
}
