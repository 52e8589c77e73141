/**
 * The display filter's FrameFields (filter/frameFields.ts) filled by the decoder on
 * its way through a frame, so the packet list decodes each packet once for its
 * columns and its filter fields. Only on the common path, where the decoder and
 * `extractFrameFields` read the same headers at the same offsets: an IPv4 header
 * right after an Ethernet (untagged), SLL or SLL2 header, not a fragment, with a
 * complete TCP or UDP header. Everything else (IPv6, VLAN tags, ARP, damaged
 * headers...) is left to `extractFrameFields`, so the fields never differ from it
 * (test/unit/decodeRow.test.ts compares both on fixtures, generated and damaged frames).
 */
import { NetworkLayer } from '../filter/frameFields';
import { u32 } from './bytes';
import type { DecodeContext } from './context';

/** The link decoders call this with where `extractFrameFields` looks for the network header. */
export function noteNetworkStart(c: DecodeContext, offset: number): void {
  if (c.fields) c.fieldsNetworkAt = offset;
}

/** decodeIPv4 calls this before the transport: `o` is on the common path, or not. */
export function noteIpv4(c: DecodeContext, o: number, totalLength: number, fragmentOffset: number): void {
  // A total length of 0 (segmentation offload) is read as "to the end" by the decoder
  // and as "empty" by extractFrameFields: left to the latter.
  if (c.fields && o === c.fieldsNetworkAt && totalLength !== 0 && fragmentOffset === 0) c.fieldsIpv4At = o;
}

/** decodeTcp/decodeUdp call this once their header is known complete and sound. */
export function fillTransportFields(c: DecodeContext, ipProtocol: number, srcPort: number, dstPort: number, payloadStart: number, end: number): void {
  const f = c.fields;
  const ip = c.fieldsIpv4At;
  if (!f || ip < 0) return;
  const d = c.d;
  f.network = NetworkLayer.IPV4;
  f.networkOffset = ip;
  f.ipProtocol = ipProtocol;
  f.srcIpv4 = u32(d, ip + 12);
  f.dstIpv4 = u32(d, ip + 16);
  f.srcPort = srcPort;
  f.dstPort = dstPort;
  const payload = payloadStart < end;
  f.payloadOffset = payload ? payloadStart : 0;
  f.payloadLength = payload ? end - payloadStart : 0;
  c.fieldsDone = true;
}
