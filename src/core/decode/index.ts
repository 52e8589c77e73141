/**
 * Frame decoding: `summarize` for list rows and the CLI (fast, no per-field
 * objects), `dissect` for the detail view (every field with its byte range).
 * Both run the same layer decoders and never throw: malformed or truncated input
 * is reported in the result (`malformed`, or a final "Malformed" layer).
 *
 * `originalLength` (optional) is the frame's length on the wire: when it is larger
 * than `data`, the snap length cut the frame, and length fields pointing past the
 * captured bytes are expected rather than malformed.
 */
import { extractFrameFields, type FrameFields } from '../filter/frameFields';
import { toHex } from '../hex';
import type { PacketLayer, PacketSummary } from '../packet';
import { formatLinkAddress } from './bytes';
import type { DecodeContext, SummaryScratch } from './context';
import { field, pushLayer, type Layers } from './layers';
import { decodeLink, linkSourceMac } from './link';

/** Bytes of the "Data" layer shown as hex; the hexdump shows the rest. */
const DATA_PREVIEW_BYTES = 64;

/**
 * One context reused by every call: decoding is synchronous and never re-entered, and
 * not allocating it (and its summary scratch) per packet keeps the garbage collector out
 * of the packet list's hot path.
 */
const context: DecodeContext = {
  d: new Uint8Array(0),
  s: { src: '', dst: '', srcPort: -1, dstPort: -1, protocol: '', info: '', payloadOffset: 0, payloadLength: 0, malformed: undefined },
  layers: undefined,
  wantInfo: true,
  snapped: false,
  linkSrc: -1,
  linkDst: -1,
  linkAddressLength: 0,
  dataStart: 0,
  dataEnd: 0,
  networkEnd: -1,
  malformedAt: 0,
  fields: undefined,
  fieldsNetworkAt: -1,
  fieldsIpv4At: -1,
  fieldsDone: false,
};

/** Decodes into the shared scratch `context.s`. */
function run(data: Uint8Array, linkType: number, layers: Layers, originalLength: number | undefined, wantInfo: boolean, fields?: FrameFields): SummaryScratch {
  const c = context;
  const s = c.s;
  s.src = '';
  s.dst = '';
  s.srcPort = -1;
  s.dstPort = -1;
  s.protocol = '';
  s.info = '';
  s.payloadOffset = 0;
  s.payloadLength = 0;
  s.malformed = undefined;
  c.d = data;
  c.layers = layers;
  c.wantInfo = wantInfo;
  c.snapped = originalLength !== undefined && originalLength > data.length;
  c.linkSrc = -1;
  c.linkDst = -1;
  c.linkAddressLength = 0;
  c.dataStart = 0;
  c.dataEnd = 0;
  c.networkEnd = -1;
  c.malformedAt = 0;
  c.fields = fields;
  c.fieldsNetworkAt = -1;
  c.fieldsIpv4At = -1;
  c.fieldsDone = false;
  try {
    decodeLink(c, linkType);
  } catch (error) {
    // The decoders bounds-check every read; this is the last line of defence so a
    // bug shows as one malformed row instead of stopping a capture.
    s.malformed ??= `decoder error: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (s.src === '' && c.linkSrc >= 0) s.src = formatLinkAddress(data, c.linkSrc, c.linkAddressLength);
  if (s.dst === '' && c.linkDst >= 0) s.dst = formatLinkAddress(data, c.linkDst, c.linkAddressLength);
  if (wantInfo && s.malformed !== undefined) s.info = s.info ? `${s.info} [Malformed: ${s.malformed}]` : `[Malformed: ${s.malformed}]`;
  if (layers) finishLayers(c, layers);
  c.d = EMPTY; // do not keep the caller's frame alive
  c.fields = undefined;
  return s;
}

const EMPTY = new Uint8Array(0);

/** The public summary: ports and `malformed` only when present (two stable shapes + rare malformed). */
function toSummary(s: SummaryScratch): PacketSummary {
  const summary: PacketSummary = s.srcPort >= 0
    ? { src: s.src, dst: s.dst, srcPort: s.srcPort, dstPort: s.dstPort, protocol: s.protocol, info: s.info, payloadOffset: s.payloadOffset, payloadLength: s.payloadLength }
    : { src: s.src, dst: s.dst, protocol: s.protocol, info: s.info, payloadOffset: s.payloadOffset, payloadLength: s.payloadLength };
  if (s.malformed !== undefined) summary.malformed = s.malformed;
  return summary;
}

function finishLayers(c: DecodeContext, layers: PacketLayer[]): void {
  const d = c.d;
  if (c.dataEnd > c.dataStart) {
    const length = c.dataEnd - c.dataStart;
    const layer = pushLayer(layers, 'Data', c.dataStart, length);
    const preview = toHex(d, c.dataStart, Math.min(c.dataEnd, c.dataStart + DATA_PREVIEW_BYTES));
    field(layer, 'Data', length > DATA_PREVIEW_BYTES ? `${preview}…` : preview, c.dataStart, length);
    field(layer, 'Length', String(length), c.dataStart, length);
  }
  if (c.networkEnd >= 0 && c.networkEnd < d.length) {
    const length = d.length - c.networkEnd;
    const layer = pushLayer(layers, 'Padding', c.networkEnd, length);
    field(layer, 'Padding', toHex(d, c.networkEnd, Math.min(d.length, c.networkEnd + DATA_PREVIEW_BYTES)), c.networkEnd, length);
  }
  if (c.s.malformed !== undefined) {
    const at = Math.min(c.malformedAt, d.length);
    const layer = pushLayer(layers, 'Malformed', at, d.length - at);
    field(layer, 'Reason', c.s.malformed, at, d.length - at);
  }
}

export function summarize(data: Uint8Array, linkType: number, originalLength?: number): PacketSummary {
  return toSummary(run(data, linkType, undefined, originalLength, true));
}

/**
 * `summarize()` into the shared scratch: the same src, dst, ports, protocol and Info,
 * without a PacketSummary object per packet (for callers that format or count each
 * packet and move on: the CLI's lines, bench 1). Overwritten by the next decode: read
 * it before decoding again. `malformed` is already folded into `info` as summarize() does.
 */
export function summarizeShared(data: Uint8Array, linkType: number, originalLength?: number): Readonly<SummaryScratch> {
  return run(data, linkType, undefined, originalLength, true);
}

/** The list columns a store keeps per packet; everything else of a row is derived on demand. */
export interface RowColumns {
  readonly src: string;
  readonly dst: string;
  readonly protocol: string;
}

/**
 * `summarize()` without the Info text: src, dst and protocol exactly as `summarize()`
 * gives them, at a fraction of the cost (no Info string, DNS/HTTP/TLS payloads only
 * classified). For stores that build Info only for the rows on screen. The result is
 * one shared object, overwritten by the next decode: read it before decoding again.
 */
export function summarizeColumns(data: Uint8Array, linkType: number, originalLength?: number): RowColumns {
  return run(data, linkType, undefined, originalLength, false);
}

/**
 * `summarizeColumns()` and the display filter's fields (`extractFrameFields`, same
 * values) from one pass over the frame: what the packet list stores per packet. On
 * the common path (IPv4 TCP/UDP) the decoder fills `fields` as it goes; elsewhere
 * extractFrameFields fills them. The result is shared like summarizeColumns'.
 */
export function summarizeRow(data: Uint8Array, linkType: number, originalLength: number | undefined, fields: FrameFields): RowColumns {
  const s = run(data, linkType, undefined, originalLength, false, fields);
  if (!context.fieldsDone) extractFrameFields(data, linkType, fields);
  return s;
}

/**
 * `summarizeColumns()` plus the ports (-1 when absent) and the payload's place, all as
 * `summarize()` gives them: what the CLI's text output needs, without the Info text.
 * The same shared scratch: read it before decoding again.
 */
export function summarizeEndpoints(data: Uint8Array, linkType: number, originalLength?: number): Readonly<SummaryScratch> {
  return run(data, linkType, undefined, originalLength, false);
}

export function dissect(data: Uint8Array, linkType: number, originalLength?: number): PacketLayer[] {
  const layers: PacketLayer[] = [];
  run(data, linkType, layers, originalLength, true);
  return layers;
}

/** Source MAC address (lower-case `aa:bb:...`) for Ethernet/SLL frames, used to tell direction. */
export function sourceMac(data: Uint8Array, linkType: number): string | undefined {
  return linkSourceMac(data, linkType);
}
