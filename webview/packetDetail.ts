/**
 * What the detail pane shows for a selected packet, without the DOM: its
 * bytes, a "Frame N" layer (number, times, interface, direction, lengths, as
 * Wireshark's frame tree), the dissected layers and what TLS decryption added.
 */
import { dissect } from '../src/core/decode/index';
import type { PacketLayer } from '../src/core/packet';
import type { PacketStore } from '../src/core/packetStore';
import type { TlsDecryptions } from './tlsDecryptions';

export interface PacketDetail {
  number: number;
  bytes: Uint8Array;
  layers: PacketLayer[];
}

/** Undefined when the store no longer holds the packet; a dissector failure is reported, the frame still shown. */
export function packetDetail(store: PacketStore, tls: TlsDecryptions, packetNumber: number, reportError: (message: string) => void): PacketDetail | undefined {
  const row = store.rowOf(packetNumber);
  if (row < 0) return undefined;
  const c = store.columns;
  const s = store.slot(row);
  // Copy: the store reuses its memory as old packets are dropped.
  const bytes = store.frameBytes(row).slice();
  const linkType = c.linkType[s] ?? 0;
  let layers: PacketLayer[];
  try {
    layers = dissect(bytes, linkType, c.originalLength[s]);
  } catch (error) {
    layers = [];
    reportError(`dissect failed for packet ${packetNumber}: ${String(error)}`);
  }
  const time = (c.tsSec[s] ?? 0) + (c.tsUsec[s] ?? 0) / 1e6;
  const frameLayer: PacketLayer = {
    name: `Frame ${packetNumber}: ${c.originalLength[s] ?? 0} bytes on wire, ${bytes.length} bytes captured`,
    offset: 0,
    length: bytes.length,
    fields: [
      { name: 'Number', value: String(packetNumber), offset: 0, length: 0 },
      { name: 'Arrival time', value: new Date(time * 1000).toISOString().replace('Z', `${String(c.tsUsec[s] ?? 0).padStart(6, '0').slice(3)}Z`), offset: 0, length: 0 },
      { name: 'Time since first packet', value: `${store.relativeTime(row).toFixed(6)} s`, offset: 0, length: 0 },
      ...(c.interfaces.get(c.interfaceId[s] ?? 0) === ''
        ? [{ name: 'Direction', value: 'unknown (a pcap file does not record it)', offset: 0, length: 0 }]
        : [
            { name: 'Interface', value: c.interfaces.get(c.interfaceId[s] ?? 0), offset: 0, length: 0 },
            { name: 'Direction', value: c.direction[s] === 1 ? 'out (sent by the container)' : 'in (received by the container)', offset: 0, length: 0 },
          ]),
      { name: 'Frame length', value: `${c.originalLength[s] ?? 0} bytes`, offset: 0, length: bytes.length },
      { name: 'Capture length', value: `${bytes.length} bytes`, offset: 0, length: bytes.length },
      { name: 'Link type', value: String(linkType), offset: 0, length: 0 },
    ],
  };
  return { number: packetNumber, bytes, layers: [frameLayer, ...tls.withLayers(packetNumber, layers)] };
}
