/**
 * The state one decode pass shares between the layer decoders. `summarize()` and
 * `dissect()` run the same decoders; only `layers` differs (undefined for summaries).
 */
import type { FrameFields } from '../filter/frameFields';
import type { Layers } from './layers';

/**
 * What the decoders fill in. Every field always exists (ports are -1 when absent) so
 * the object keeps one shape whatever the protocol: the hot code stays monomorphic.
 * `summarize()` copies it into the returned PacketSummary.
 */
export interface SummaryScratch {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: string;
  info: string;
  payloadOffset: number;
  payloadLength: number;
  malformed: string | undefined;
}

export interface DecodeContext {
  d: Uint8Array;
  s: SummaryScratch;
  layers: Layers;
  /**
   * false for `summarizeColumns()`: the Info text (most of a summary's cost) is not
   * built and payloads are only classified, never parsed. src, dst and protocol
   * come out exactly as `summarize()` gives them.
   */
  wantInfo: boolean;
  /** The frame was cut by the capture's snap length (originalLength > captured). */
  snapped: boolean;
  /** Offset of the link-layer source/destination address (-1: none), formatted only if no IP. */
  linkSrc: number;
  linkDst: number;
  linkAddressLength: number;
  /** Bytes no decoder claimed, shown as the final "Data" layer. */
  dataStart: number;
  dataEnd: number;
  /** End of the network-layer packet; link-layer bytes after it are padding. -1 if unknown. */
  networkEnd: number;
  /** Where the first problem was found (for the "Malformed" layer). */
  malformedAt: number;
  /** `summarizeRow()`'s filter fields, filled on the common path (rowFields.ts); undefined otherwise. */
  fields: FrameFields | undefined;
  /** Where extractFrameFields would read the network header (-1: not on the common path). */
  fieldsNetworkAt: number;
  /** The IPv4 header on the common path (-1: none). */
  fieldsIpv4At: number;
  /** `fields` were filled by this decode. */
  fieldsDone: boolean;
}

/** Records the first problem found; later ones are consequences. */
export function markMalformed(c: DecodeContext, reason: string, at: number): void {
  if (c.s.malformed !== undefined) return;
  c.s.malformed = reason;
  c.malformedAt = at;
}

/**
 * A header shorter than its minimum: `what` header truncated: N of M bytes. Cut by
 * the snap length, it is still reported (the decode stops there), but says why.
 */
export function markShort(c: DecodeContext, what: string, have: number, need: number, at: number): void {
  const why = c.snapped ? ' (packet size limited during capture)' : '';
  markMalformed(c, `${what} truncated: ${Math.max(0, have)} of ${need} bytes${why}`, at);
}

/**
 * A length field that points past the captured bytes. Normal when the snap length cut
 * the frame (not reported then); otherwise the packet is malformed.
 */
export function markBeyondCapture(c: DecodeContext, reason: string, at: number): void {
  if (!c.snapped) markMalformed(c, reason, at);
}

export function claimData(c: DecodeContext, start: number, end: number): void {
  c.dataStart = start;
  c.dataEnd = Math.min(end, c.d.length);
}
