/**
 * What the HTTP/2 decoder needs from an HPACK implementation (RFC 7541): one decoder per
 * direction of a connection, fed every header block of that direction in order (its
 * dynamic table depends on all the earlier ones). The core names the interface only; the
 * implementation comes from the runtime (client/tls/hpackDecoder.ts, with a maintained
 * library), as the ciphers come in through TlsCrypto.
 */
export interface HpackDecoder {
  /** The header list of one complete header block; throws on a block it cannot decode. */
  decode(block: Uint8Array): [string, string][];
}

export type HpackDecoderFactory = () => HpackDecoder;
