/**
 * Frame decoding: `summarize` for list rows and the CLI (fast, no per-field
 * objects), `dissect` for the detail view (every field with its byte range).
 * Both never throw: malformed or truncated input is reported in the result.
 *
 * PLACEHOLDER until the decoder lands; the signatures are the contract.
 */
import type { PacketLayer, PacketSummary } from '../packet';

export function summarize(data: Uint8Array, linkType: number): PacketSummary {
  void data;
  void linkType;
  return { src: '', dst: '', protocol: 'UNKNOWN', info: '', payloadOffset: 0, payloadLength: 0 };
}

export function dissect(data: Uint8Array, linkType: number): PacketLayer[] {
  void data;
  void linkType;
  return [];
}

/** Source MAC address (lower-case `aa:bb:...`) for Ethernet/SLL frames, used to tell direction. */
export function sourceMac(data: Uint8Array, linkType: number): string | undefined {
  void data;
  void linkType;
  return undefined;
}
