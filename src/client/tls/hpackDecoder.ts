/**
 * HPACK decoding (RFC 7541) for the HTTP/2 decoder in core, with hpack.js: pure JavaScript,
 * no native code, the HPACK implementation under spdy-transport and so under most Node
 * HTTP/2 servers' dev tooling. One decompressor per direction of a connection.
 */
import hpack from 'hpack.js';
import type { HpackDecoder } from '../../core/http2/hpack';

/**
 * The decoder's table may hold up to this many bytes. Larger than the 4,096 that HTTP/2
 * starts with, so a peer that announced more (SETTINGS_HEADER_TABLE_SIZE) still decodes; a
 * table larger than the encoder's only keeps entries it will never refer to again.
 */
const MAX_TABLE_BYTES = 64 * 1024;

export function createHpackDecoder(): HpackDecoder {
  const decompressor = hpack.decompressor.create({ table: { maxSize: MAX_TABLE_BYTES } });
  let failure: Error | undefined;
  // Without a listener the stream would throw the error on its own; with one it is ours.
  decompressor.on('error', (error: Error) => (failure = error));
  return {
    decode(block: Uint8Array): [string, string][] {
      failure = undefined;
      decompressor.write(Buffer.from(block.buffer, block.byteOffset, block.byteLength));
      decompressor.execute();
      const headers: [string, string][] = [];
      for (let header = decompressor.read() as hpack.Header | null; header; header = decompressor.read() as hpack.Header | null) headers.push([header.name, header.value]);
      if (failure) throw failure;
      return headers;
    },
  };
}
