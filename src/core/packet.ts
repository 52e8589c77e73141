/**
 * The packet model shared by every runtime: the helper, the CLI, the extension
 * host and the webview. Pure data, no Node or DOM types, so the same decoder
 * runs everywhere.
 */

/** Where a frame travelled, seen from the container: `out` = sent by it. */
export type Direction = 'in' | 'out';

/** pcap link-layer types this project decodes. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** One frame as captured: the pcap record plus where and which way it was seen. */
export interface CapturedFrame {
  /** Capture time, seconds since the epoch. */
  tsSec: number;
  /** Sub-second part of the capture time, microseconds (0..999999). */
  tsUsec: number;
  /** Interface name inside the container (`eth0`, `lo`), the bridge, or `file`. */
  interfaceName: string;
  direction: Direction;
  /** pcap LINKTYPE_* of `data`. */
  linkType: number;
  /** Length of the frame on the wire; `data` may be shorter (snap length). */
  originalLength: number;
  /** The captured bytes, starting at the link-layer header. */
  data: Uint8Array;
}

/** What a packet list row shows; computed by `summarize()`. */
export interface PacketSummary {
  /** Network-layer source (IP address), or link-layer (MAC) when there is none. */
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  /** Highest protocol recognised: ARP, ICMP, ICMPv6, TCP, UDP, DNS, HTTP, TLS, IPv4, IPv6, ... */
  protocol: string;
  /** One line, like Wireshark's Info column. */
  info: string;
  /** TCP/UDP payload position inside the frame's data; length 0 when none. */
  payloadOffset: number;
  payloadLength: number;
  /** Set when the frame is truncated or malformed; says what is wrong. */
  malformed?: string;
}

/** One decoded field, with the bytes it came from so the UI can highlight them. */
export interface PacketField {
  name: string;
  value: string;
  /** Byte offset in the frame's data. */
  offset: number;
  length: number;
}

/** One protocol layer of a dissected frame. */
export interface PacketLayer {
  name: string;
  offset: number;
  length: number;
  fields: PacketField[];
}
