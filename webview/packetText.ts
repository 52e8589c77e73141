/**
 * A stored packet as text for the clipboard and the context menu: its row
 * values (raw addresses, for filters), the summary line as the list shows it,
 * its bytes as a hex dump or a hex stream, and the legacy tool's text.
 */
import { summarize } from '../src/core/decode/index';
import { toHex } from '../src/core/hex';
import { hexdumpLines } from '../src/core/hexdump';
import type { CapturedFrame } from '../src/core/packet';
import type { PacketStore } from '../src/core/packetStore';
import { formatSeedText } from '../src/core/seedFormat';

export interface PacketRowValues {
  number: number;
  time: string;
  /** '' when the capture does not record it (a pcap file). */
  direction: 'in' | 'out' | '';
  iface: string;
  /** Addresses as captured (the list may show container names instead). */
  source: string;
  destination: string;
  protocol: string;
  length: number;
  info: string;
}

export function capturedFrame(store: PacketStore, row: number): CapturedFrame {
  const c = store.columns;
  const s = store.slot(row);
  return {
    tsSec: c.tsSec[s] ?? 0,
    tsUsec: c.tsUsec[s] ?? 0,
    interfaceName: c.interfaces.get(c.interfaceId[s] ?? 0),
    direction: c.direction[s] === 1 ? 'out' : 'in',
    linkType: c.linkType[s] ?? 0,
    originalLength: c.originalLength[s] ?? 0,
    // A copy: the store reuses its memory as old packets are dropped.
    data: store.frameBytes(row).slice(),
  };
}

export function rowValues(store: PacketStore, packetNumber: number, time: string, protocol: string): PacketRowValues | undefined {
  const row = store.rowOf(packetNumber);
  if (row < 0) return undefined;
  const frame = capturedFrame(store, row);
  const summary = summarize(frame.data, frame.linkType, frame.originalLength);
  return {
    number: packetNumber,
    time,
    direction: frame.interfaceName === '' ? '' : frame.direction,
    iface: frame.interfaceName,
    source: summary.src,
    destination: summary.dst,
    protocol,
    length: frame.originalLength,
    info: store.infoOf(row),
  };
}

/** One tab-separated line, the columns in the list's order, names where the list shows names. */
export function summaryLine(values: PacketRowValues, display: (address: string) => string): string {
  return [values.number, values.time, values.direction.toUpperCase(), values.iface, display(values.source), display(values.destination), values.protocol, values.length, values.info].join('\t');
}

export function hexDumpText(bytes: Uint8Array): string {
  return hexdumpLines(bytes).join('\n') + '\n';
}

export function hexStreamText(bytes: Uint8Array): string {
  return toHex(bytes);
}

/** The legacy tool's `OUT: ip:port` line and boxed payload dump, byte for byte as the CLI prints it. */
export function legacyText(frame: CapturedFrame): string {
  return formatSeedText(frame, summarize(frame.data, frame.linkType, frame.originalLength));
}
