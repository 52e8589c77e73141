/**
 * What the host's TLS decryption said about each packet (`tlsDecryption` messages): the
 * list row of a decrypted packet gets its new Info (and HTTP as protocol) and a badge; a
 * packet whose records stayed encrypted says why on hover; the layer tree gets a
 * "Decrypted TLS" layer under the TLS record, with the HTTP/1.x message or the HTTP/2 frames
 * found in it and the plaintext as text and hexdump. Those fields come from no byte of the frame: no byte range.
 */
import { decodeHttp } from '../src/core/decode/application';
import { seedHexdumpLines } from '../src/core/hexdump';
import type { DecryptedFieldSource } from '../src/core/filter/decryptedFields';
import type { PacketLayer } from '../src/core/packet';
import type { TlsFrameDecryption } from '../src/protocol/webviewMessages';
import { http2Layers } from './http2Layers';

/** Text lines of the plaintext shown in the tree; the rest is one click away (Follow Stream, hexdump). */
const MAX_TEXT_LINES = 200;

export class TlsDecryptions implements DecryptedFieldSource {
  private readonly frames = new Map<number, TlsFrameDecryption>();

  /** For the display filter (http.*, http2.* on decrypted packets). */
  plaintext(number: number): Uint8Array | undefined {
    return this.frames.get(number)?.plaintext;
  }

  protocol(number: number): string | undefined {
    return this.frames.get(number)?.protocol;
  }

  http2(number: number): TlsFrameDecryption['http2'] {
    return this.frames.get(number)?.http2;
  }

  get size(): number {
    return this.frames.size;
  }

  /** Takes a `tlsDecryption` message; returns whether `selected` changed. */
  update(frames: readonly TlsFrameDecryption[], reset: boolean, selected: number): boolean {
    if (reset) this.frames.clear();
    let touched = reset;
    for (const f of frames) {
      if (!Number.isSafeInteger(f.number)) continue;
      const plaintext = asBytes(f.plaintext);
      const http2 = Array.isArray(f.http2) ? f.http2 : undefined;
      this.frames.set(f.number, { ...f, plaintext, http2 });
      if (f.number === selected) touched = true;
    }
    return touched;
  }

  clear(): void {
    this.frames.clear();
  }

  /** Forgets packets numbered below `number` (dropped from the store). Entries arrive in number order, mostly: stops at the first kept. */
  forgetBefore(number: number): void {
    for (const n of this.frames.keys()) {
      if (n >= number) break;
      this.frames.delete(n);
    }
  }

  /** Protocol and Info as the row shows them, given what the decoder said. */
  rowText(number: number, protocol: string, info: string): { protocol: string; info: string; decrypted: boolean; title: string | undefined } {
    const f = this.frames.get(number);
    if (f?.info !== undefined) return { protocol: f.protocol ?? protocol, info: f.info, decrypted: true, title: undefined };
    if (f?.notDecrypted) return { protocol, info: `${info} [not decrypted: ${f.notDecrypted}]`, decrypted: false, title: `TLS not decrypted: ${f.notDecrypted}` };
    return { protocol, info, decrypted: false, title: undefined };
  }

  /** The dissected layers with the decrypted layer(s) after the TLS layer (or last). */
  withLayers(number: number, layers: PacketLayer[]): PacketLayer[] {
    const f = this.frames.get(number);
    if (!f) return layers;
    let added: PacketLayer[];
    try {
      added = f.plaintext ? decryptedLayers(f.plaintext) : f.notDecrypted ? [notDecryptedLayer(f.notDecrypted)] : [];
      if (f.http2) added.push(...http2Layers(f.http2));
    } catch (error) {
      // The packet's own layers are still worth showing.
      added = [notDecryptedLayer(`the decrypted data could not be shown: ${String(error)}`)];
    }
    // After the last TLS record layer of the frame (the records it completed come last).
    let at = layers.length;
    layers.forEach((l, i) => {
      if (/\bTLS\b|Transport Layer Security/.test(l.name)) at = i + 1;
    });
    return [...layers.slice(0, at), ...added, ...layers.slice(at)];
  }
}

/** "Decrypted TLS (N bytes)", then the HTTP/1.x message in it when there is one. */
export function decryptedLayers(plaintext: Uint8Array): PacketLayer[] {
  const layer: PacketLayer = { name: `Decrypted TLS (${plaintext.length} bytes)`, offset: 0, length: 0, fields: [] };
  const add = (target: PacketLayer, name: string, value: string): void => {
    target.fields.push({ name, value, offset: 0, length: 0 });
  };
  const text = printableText(plaintext);
  if (text !== undefined) {
    const lines = text.split(/\r?\n/);
    lines.slice(0, MAX_TEXT_LINES).forEach((line, i) => add(layer, `Text ${i + 1}`, line));
    if (lines.length > MAX_TEXT_LINES) add(layer, 'Text', `… ${lines.length - MAX_TEXT_LINES} more lines`);
  }
  seedHexdumpLines(plaintext).slice(0, MAX_TEXT_LINES).forEach((line) => add(layer, 'Hex', line));
  const out = [layer];
  const httpLayers: PacketLayer[] = [];
  if (decodeHttp(plaintext, 0, plaintext.length, httpLayers)) {
    for (const l of httpLayers) {
      // Offsets there are into the plaintext, not the frame: shown without a byte range.
      out.push({ name: `${l.name} (decrypted)`, offset: 0, length: 0, fields: l.fields.map((f) => ({ name: f.name, value: f.value, offset: 0, length: 0 })) });
    }
  }
  return out;
}

function notDecryptedLayer(reason: string): PacketLayer {
  return { name: 'TLS not decrypted', offset: 0, length: 0, fields: [{ name: 'Reason', value: reason, offset: 0, length: 0 }] };
}

/**
 * The plaintext as it crossed postMessage: a Uint8Array, its ArrayBuffer, or (depending on how
 * the host serialized a typed array nested in the message) an indexed object or array.
 */
function asBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof value === 'object') {
    const values = Object.values(value as Record<string, unknown>);
    if (values.every((n) => typeof n === 'number')) return Uint8Array.from(values as number[]);
  }
  return undefined;
}

/** The plaintext as text when it is (mostly) printable ASCII/UTF-8; undefined for binary data. */
function printableText(bytes: Uint8Array): string | undefined {
  let control = 0;
  for (const b of bytes) if (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) control++;
  if (control > bytes.length / 20) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
