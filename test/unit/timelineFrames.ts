/**
 * Frames for the timeline tests, built byte by byte: Ethernet + IPv4 + TCP/UDP
 * with the fields the de-duplication rule compares under the test's control
 * (IP ID, TCP sequence number, payload), as one container's copy of a packet.
 */
import { LinkType } from '../../src/core/packet';
import type { ContainerFrame } from '../../src/core/timeline/containerFrame';

export interface PacketSpec {
  src: string;
  dst: string;
  protocol?: 'tcp' | 'udp';
  srcPort?: number;
  dstPort?: number;
  ipId?: number;
  seq?: number;
  payload?: string;
  ttl?: number;
}

/** The bytes of one packet; `ttl` and checksums differ between copies only where a hop would change them. */
export function packetBytes(spec: PacketSpec): Uint8Array {
  const payload = new TextEncoder().encode(spec.payload ?? '');
  const tcp = (spec.protocol ?? 'tcp') === 'tcp';
  const l4 = tcp ? 20 : 8;
  const total = 20 + l4 + payload.length;
  const b = new Uint8Array(14 + total);
  b.set([2, 0x42, 0xac, 0x12, 0, 3, 2, 0x42, 0xac, 0x12, 0, 2, 0x08, 0x00]);
  const ip = 14;
  const id = spec.ipId ?? 0;
  b.set([0x45, 0, total >> 8, total & 0xff, id >> 8, id & 0xff, 0x40, 0, spec.ttl ?? 64, tcp ? 6 : 17, 0, 0], ip);
  b.set(spec.src.split('.').map(Number), ip + 12);
  b.set(spec.dst.split('.').map(Number), ip + 16);
  const t = ip + 20;
  const sp = spec.srcPort ?? 40000;
  const dp = spec.dstPort ?? 80;
  b.set([sp >> 8, sp & 0xff, dp >> 8, dp & 0xff], t);
  if (tcp) {
    const seq = spec.seq ?? 1;
    b.set([seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0], t + 4);
  } else {
    b.set([(8 + payload.length) >> 8, (8 + payload.length) & 0xff, 0, 0], t + 4);
  }
  b.set(payload, t + l4);
  return b;
}

/** One container's sighting of `bytes` at `micros` (since an arbitrary epoch). */
export function sighting(container: string, direction: 'in' | 'out', micros: number, bytes: Uint8Array, interfaceName = 'eth0'): ContainerFrame {
  return {
    container,
    direction,
    interfaceName,
    tsSec: 1_700_000_000 + Math.floor(micros / 1e6),
    tsUsec: micros % 1e6,
    linkType: LinkType.ETHERNET,
    originalLength: bytes.length,
    data: bytes,
  };
}

/** The same packet as the next hop would carry it: a new checksum, other MACs, maybe a lower TTL. */
export function asReceived(bytes: Uint8Array, changes: { ttl?: number; checksum?: number } = {}): Uint8Array {
  const copy = bytes.slice();
  copy.set([2, 0x42, 0xac, 0x12, 0, 9], 0);
  if (changes.ttl !== undefined) copy[14 + 8] = changes.ttl;
  if (changes.checksum !== undefined) {
    copy[14 + 10] = changes.checksum >> 8;
    copy[14 + 11] = changes.checksum & 0xff;
  }
  return copy;
}
