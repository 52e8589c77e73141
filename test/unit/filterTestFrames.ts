/**
 * Real frames built byte by byte for the filter and packet store tests:
 * Ethernet II + IPv4/IPv6 + TCP/UDP (+ payload), and ARP.
 */
import type { CapturedFrame, Direction } from '../../src/core/packet';
import { LinkType } from '../../src/core/packet';

export interface FrameSpec {
  src: string;
  dst: string;
  transport: 'tcp' | 'udp' | 'icmp';
  srcPort?: number;
  dstPort?: number;
  payload?: string | Uint8Array;
  direction?: Direction;
  interfaceName?: string;
  tsSec?: number;
  tsUsec?: number;
}

const MAC_A = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
const MAC_B = [0x02, 0x42, 0xac, 0x11, 0x00, 0x03];

export function ipv4Frame(spec: FrameSpec): CapturedFrame {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const transportHeader = spec.transport === 'tcp' ? 20 : 8;
  const ipLength = 20 + transportHeader + payload.length;
  const bytes: number[] = [...MAC_B, ...MAC_A, 0x08, 0x00];
  const protocol = spec.transport === 'tcp' ? 6 : spec.transport === 'udp' ? 17 : 1;
  const ip = [0x45, 0, ipLength >> 8, ipLength & 0xff, 0x12, 0x34, 0x40, 0, 64, protocol, 0, 0, ...octets(spec.src), ...octets(spec.dst)];
  ip.splice(10, 2, ...u16(checksum(ip)));
  bytes.push(...ip);
  const sp = spec.srcPort ?? 0;
  const dp = spec.dstPort ?? 0;
  if (spec.transport === 'tcp') {
    bytes.push(...u16(sp), ...u16(dp), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0);
  } else if (spec.transport === 'udp') {
    bytes.push(...u16(sp), ...u16(dp), ...u16(8 + payload.length), 0, 0);
  } else {
    bytes.push(8, 0, 0, 0, 0, 1, 0, 1); // echo request
  }
  bytes.push(...payload);
  // Ethernet pads short frames to 60 bytes: the filter must not read padding as payload.
  while (bytes.length < 60) bytes.push(0);
  return frame(bytes, spec);
}

export function ipv6UdpFrame(spec: FrameSpec): CapturedFrame {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const udpLength = 8 + payload.length;
  const bytes: number[] = [...MAC_B, ...MAC_A, 0x86, 0xdd];
  bytes.push(0x60, 0, 0, 0, ...u16(udpLength), 17, 64, ...ipv6Octets(spec.src), ...ipv6Octets(spec.dst));
  bytes.push(...u16(spec.srcPort ?? 0), ...u16(spec.dstPort ?? 0), ...u16(udpLength), 0, 0, ...payload);
  return frame(bytes, spec);
}

export function arpFrame(senderIp: string, targetIp: string, options: Partial<FrameSpec> = {}): CapturedFrame {
  const bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...MAC_A, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, ...MAC_A, ...octets(senderIp), 0, 0, 0, 0, 0, 0, ...octets(targetIp)];
  while (bytes.length < 60) bytes.push(0);
  return frame(bytes, { src: senderIp, dst: targetIp, transport: 'udp', ...options });
}

/** A DNS query for `name` (type A), as the UDP payload a resolver would send. */
export function dnsQuery(name: string, id = 0x2f59): Uint8Array {
  const out = [id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const label of name.split('.')) out.push(label.length, ...[...label].map((ch) => ch.charCodeAt(0)));
  out.push(0, 0, 1, 0, 1);
  return Uint8Array.from(out);
}

function frame(bytes: number[], spec: FrameSpec): CapturedFrame {
  return {
    tsSec: spec.tsSec ?? 1_700_000_000,
    tsUsec: spec.tsUsec ?? 0,
    interfaceName: spec.interfaceName ?? 'eth0',
    direction: spec.direction ?? 'out',
    linkType: LinkType.ETHERNET,
    originalLength: bytes.length,
    data: Uint8Array.from(bytes),
  };
}

function octets(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv6Octets(ip: string): number[] {
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function checksum(header: number[]): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += ((header[i] ?? 0) << 8) | (header[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
