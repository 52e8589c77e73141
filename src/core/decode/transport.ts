/**
 * Transport and control protocols inside IPv4/IPv6: TCP, UDP, ICMP, ICMPv6, IGMP,
 * and the application one-liners found in their payloads.
 * Every decoder gets `[o, end)`: `end` is the IP packet's end clipped to the capture.
 */
import { decodeHttp, decodeTls, isHttpStart, isTlsRecordStart, type AppResult } from './application';
import { formatIPv6, formatLinkAddress, u16, u32, u8, uint32Text } from './bytes';
import { claimData, markBeyondCapture, markMalformed, markShort, type DecodeContext } from './context';
import { decodeDns } from './dns';
import { tcpInfo, udpInfo } from './infoText';
import { field, pushLayer } from './layers';
import { fillTransportFields } from './rowFields';
import {
  ICMP_TYPE_NAMES, ICMP_UNREACHABLE_CODES, ICMPV6_TYPE_NAMES, ICMPV6_UNREACHABLE_CODES, IGMP_TYPE_NAMES,
  TCP_FLAG_TEXT, ipProtocolName,
} from './names';

export function decodeTransport(c: DecodeContext, protocol: number, o: number, end: number): void {
  switch (protocol) {
    case 6:
      return decodeTcp(c, o, end);
    case 17:
      return decodeUdp(c, o, end);
    case 1:
      return decodeIcmp(c, o, end);
    case 58:
      return decodeIcmpv6(c, o, end);
    case 2:
      return decodeIgmp(c, o, end);
    default: {
      const name = ipProtocolName(protocol);
      c.s.protocol = name;
      c.s.info = `${name} (${protocol})`;
      claimData(c, o, end);
    }
  }
}

/** Ports on which a UDP payload is read as DNS, and the name shown for it. */
function dnsFlavour(srcPort: number, dstPort: number): string | undefined {
  if (srcPort === 53 || dstPort === 53) return 'DNS';
  if (srcPort === 5353 || dstPort === 5353) return 'MDNS';
  if (srcPort === 5355 || dstPort === 5355) return 'LLMNR';
  return undefined;
}

function decodeTcp(c: DecodeContext, o: number, end: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'TCP';
  const available = end - o;
  if (available >= 4) {
    s.srcPort = u16(d, o);
    s.dstPort = u16(d, o + 2);
  }
  if (available < 20) {
    markShort(c, 'TCP header', available, 20, o);
    return;
  }
  const srcPort = u16(d, o);
  const dstPort = u16(d, o + 2);
  const seq = u32(d, o + 4);
  const ack = u32(d, o + 8);
  const headerLength = (u8(d, o + 12) >> 4) * 4;
  const flags = ((u8(d, o + 12) & 1) << 8) | u8(d, o + 13);
  const window = u16(d, o + 14);
  if (headerLength < 20) {
    markMalformed(c, `TCP header length ${headerLength} is less than 20`, o + 12);
    return;
  }
  if (headerLength > available) {
    markShort(c, 'TCP header', available, headerLength, o);
    return;
  }
  const payloadStart = o + headerLength;
  const payloadLength = end - payloadStart;
  s.payloadOffset = payloadStart;
  s.payloadLength = payloadLength;
  fillTransportFields(c, 6, srcPort, dstPort, payloadStart, end);
  if (!c.wantInfo) {
    // Columns only: name the application protocol the way the full decode below would.
    if (payloadLength > 0) s.protocol = tcpAppProtocol(d, srcPort, dstPort, payloadStart, end, payloadLength);
    return;
  }
  s.info = tcpInfo(srcPort, dstPort, flags, seq, ack, window, payloadLength);

  const layers = c.layers;
  if (layers) {
    const layer = pushLayer(layers, 'Transmission Control Protocol', o, headerLength);
    field(layer, 'Source Port', String(srcPort), o, 2);
    field(layer, 'Destination Port', String(dstPort), o + 2, 2);
    field(layer, 'Sequence Number', uint32Text(seq), o + 4, 4);
    field(layer, 'Acknowledgment Number', uint32Text(ack), o + 8, 4);
    field(layer, 'Header Length', `${headerLength} bytes`, o + 12, 1);
    field(layer, 'Flags', `0x${flags.toString(16).padStart(3, '0')} ${TCP_FLAG_TEXT[flags] ?? ''}`, o + 12, 2);
    field(layer, 'Window', String(window), o + 14, 2);
    field(layer, 'Checksum', `0x${u16(d, o + 16).toString(16).padStart(4, '0')}`, o + 16, 2);
    field(layer, 'Urgent Pointer', String(u16(d, o + 18)), o + 18, 2);
    if (headerLength > 20) tcpOptionFields(d, o + 20, payloadStart, layer);
    field(layer, 'Payload Length', String(payloadLength), payloadStart, payloadLength);
  }
  if (payloadLength <= 0) return;
  let app: AppResult | undefined;
  if ((srcPort === 53 || dstPort === 53) && payloadLength >= 2) {
    // DNS over TCP: a 2-byte length, then the message. A message longer than this
    // segment continues in the next one: decode what is here without calling it broken.
    const messageEnd = payloadStart + 2 + u16(d, payloadStart);
    const dns = decodeDns(d, payloadStart + 2, Math.min(end, messageEnd), layers);
    app = { protocol: 'DNS', info: dns.info };
    if (dns.malformed !== undefined && !c.snapped && messageEnd <= end) markMalformed(c, dns.malformed, payloadStart);
  } else {
    app = decodeHttp(d, payloadStart, end, layers) ?? decodeTls(d, payloadStart, end, layers);
  }
  if (app) {
    s.protocol = app.protocol;
    s.info = app.info;
  } else {
    claimData(c, payloadStart, end);
  }
}

/** The protocol decodeTcp names for a payload: DNS by port, HTTP and TLS by content (same tests as decodeHttp/decodeTls). */
function tcpAppProtocol(d: Uint8Array, srcPort: number, dstPort: number, start: number, end: number, length: number): string {
  if ((srcPort === 53 || dstPort === 53) && length >= 2) return 'DNS';
  if (isHttpStart(d, start, end)) return 'HTTP';
  if (isTlsRecordStart(d, start, end)) return 'TLS';
  return 'TCP';
}

const TCP_OPTION_NAMES: Readonly<Record<number, string>> = {
  2: 'Maximum segment size', 3: 'Window scale', 4: 'SACK permitted', 5: 'SACK', 8: 'Timestamps', 30: 'Multipath TCP', 34: 'TCP Fast Open',
};

function tcpOptionFields(d: Uint8Array, o: number, end: number, layer: ReturnType<typeof pushLayer>): void {
  let p = o;
  for (let n = 0; n < 40 && p < end; n++) {
    const kind = u8(d, p);
    if (kind === 0) {
      field(layer, 'Option', 'End of Option List', p, 1);
      return;
    }
    if (kind === 1) {
      field(layer, 'Option', 'No-Operation', p, 1);
      p++;
      continue;
    }
    const length = u8(d, p + 1);
    if (length < 2 || p + length > end) {
      field(layer, 'Option', `Malformed option (kind ${kind}, length ${length})`, p, end - p);
      return;
    }
    let value = TCP_OPTION_NAMES[kind] ?? `Kind ${kind}`;
    if (kind === 2 && length === 4) value += `: ${u16(d, p + 2)}`;
    else if (kind === 3 && length === 3) value += `: ${u8(d, p + 2)} (multiply by ${2 ** Math.min(u8(d, p + 2), 14)})`;
    else if (kind === 8 && length === 10) value += `: TSval ${u32(d, p + 2)}, TSecr ${u32(d, p + 6)}`;
    field(layer, 'Option', value, p, length);
    p += length;
  }
}

function decodeUdp(c: DecodeContext, o: number, end: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'UDP';
  const available = end - o;
  if (available >= 4) {
    s.srcPort = u16(d, o);
    s.dstPort = u16(d, o + 2);
  }
  if (available < 8) {
    markShort(c, 'UDP header', available, 8, o);
    return;
  }
  const srcPort = u16(d, o);
  const dstPort = u16(d, o + 2);
  // The filter's payload is the IP payload after the UDP header, whatever the UDP length says.
  fillTransportFields(c, 17, srcPort, dstPort, o + 8, end);
  const length = u16(d, o + 4);
  if (length < 8) {
    markMalformed(c, `UDP length ${length} is less than 8`, o + 4);
    return;
  }
  let udpEnd = o + length;
  if (udpEnd > end) {
    markBeyondCapture(c, `UDP length ${length} exceeds the ${available} bytes of the IP payload`, o + 4);
    udpEnd = end;
  }
  const payloadStart = o + 8;
  s.payloadOffset = payloadStart;
  s.payloadLength = udpEnd - payloadStart;
  if (!c.wantInfo) {
    if (udpEnd > payloadStart) s.protocol = dnsFlavour(srcPort, dstPort) ?? 'UDP';
    return;
  }
  // A DNS payload gives the Info line itself: the UDP line is built only when it is shown.
  const flavour = udpEnd > payloadStart ? dnsFlavour(srcPort, dstPort) : undefined;
  if (flavour === undefined) s.info = udpInfo(srcPort, dstPort, length - 8);
  const layers = c.layers;
  if (layers) {
    const layer = pushLayer(layers, 'User Datagram Protocol', o, 8);
    field(layer, 'Source Port', String(srcPort), o, 2);
    field(layer, 'Destination Port', String(dstPort), o + 2, 2);
    field(layer, 'Length', String(length), o + 4, 2);
    field(layer, 'Checksum', `0x${u16(d, o + 6).toString(16).padStart(4, '0')}`, o + 6, 2);
  }
  if (udpEnd <= payloadStart) return;
  if (flavour !== undefined) {
    const dns = decodeDns(d, payloadStart, udpEnd, layers);
    s.protocol = flavour;
    s.info = dns.info;
    if (dns.malformed !== undefined && !c.snapped) markMalformed(c, dns.malformed, payloadStart);
  } else {
    claimData(c, payloadStart, udpEnd);
  }
}

function echoText(name: string, d: Uint8Array, o: number): string {
  return `${name} id=0x${u16(d, o + 4).toString(16).padStart(4, '0')}, seq=${u16(d, o + 6)}`;
}

function decodeIcmp(c: DecodeContext, o: number, end: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'ICMP';
  const available = end - o;
  if (available < 4) {
    markShort(c, 'ICMP header', available, 4, o);
    return;
  }
  const type = u8(d, o);
  const code = u8(d, o + 1);
  const name = ICMP_TYPE_NAMES[type] ?? `Type ${type}`;
  if (type === 0 || type === 8) {
    if (available < 8) {
      markShort(c, 'ICMP echo header', available, 8, o);
      s.info = name;
      return;
    }
    s.info = echoText(name, d, o);
  } else if (type === 3) {
    s.info = `${name} (${ICMP_UNREACHABLE_CODES[code] ?? `code ${code}`})`;
  } else {
    s.info = code === 0 ? name : `${name} (code ${code})`;
  }
  const headerLength = Math.min(8, available);
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Internet Control Message Protocol', o, headerLength);
    field(layer, 'Type', `${type} (${name})`, o, 1);
    field(layer, 'Code', String(code), o + 1, 1);
    field(layer, 'Checksum', `0x${u16(d, o + 2).toString(16).padStart(4, '0')}`, o + 2, 2);
    if ((type === 0 || type === 8) && available >= 8) {
      field(layer, 'Identifier', `0x${u16(d, o + 4).toString(16).padStart(4, '0')} (${u16(d, o + 4)})`, o + 4, 2);
      field(layer, 'Sequence Number', String(u16(d, o + 6)), o + 6, 2);
    }
  }
  claimData(c, o + headerLength, end);
}

/** The link-layer address in an NDP option of `wantedType` among the options at `[p, end)`. */
function ndpLinkAddress(d: Uint8Array, p: number, end: number, wantedType: number): string | undefined {
  for (let n = 0; n < 16 && p + 2 <= end; n++) {
    const type = u8(d, p);
    const length = u8(d, p + 1) * 8;
    if (length === 0 || p + length > end) return undefined;
    if (type === wantedType) return formatLinkAddress(d, p + 2, Math.min(length - 2, 6));
    p += length;
  }
  return undefined;
}

function decodeIcmpv6(c: DecodeContext, o: number, end: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'ICMPv6';
  const available = end - o;
  if (available < 4) {
    markShort(c, 'ICMPv6 header', available, 4, o);
    return;
  }
  const type = u8(d, o);
  const code = u8(d, o + 1);
  const name = ICMPV6_TYPE_NAMES[type] ?? `Type ${type}`;
  let headerLength = Math.min(available, 8);
  let info = name;
  let target: string | undefined;
  if (type === 128 || type === 129) {
    if (available < 8) markShort(c, 'ICMPv6 echo header', available, 8, o);
    else info = echoText(name, d, o);
  } else if (type === 135 || type === 136) {
    if (available < 24) {
      markShort(c, `ICMPv6 ${name}`, available, 24, o);
    } else {
      headerLength = 24;
      target = formatIPv6(d, o + 8);
      if (type === 135) {
        info = `${name} for ${target}`;
        const from = ndpLinkAddress(d, o + 24, end, 1);
        if (from) info += ` from ${from}`;
      } else {
        const flags = u8(d, o + 4);
        const names = [(flags & 0x80) !== 0 ? 'rtr' : '', (flags & 0x40) !== 0 ? 'sol' : '', (flags & 0x20) !== 0 ? 'ovr' : ''].filter(Boolean);
        info = `${name} ${target}${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
        const at = ndpLinkAddress(d, o + 24, end, 2);
        if (at) info += ` is at ${at}`;
      }
    }
  } else if (type === 133 || type === 134) {
    headerLength = Math.min(available, type === 133 ? 8 : 16);
    const from = ndpLinkAddress(d, o + headerLength, end, 1);
    if (from) info += ` from ${from}`;
  } else if (type === 1) {
    info = `${name} (${ICMPV6_UNREACHABLE_CODES[code] ?? `code ${code}`})`;
  }
  s.info = info;
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Internet Control Message Protocol v6', o, headerLength);
    field(layer, 'Type', `${type} (${name})`, o, 1);
    field(layer, 'Code', String(code), o + 1, 1);
    field(layer, 'Checksum', `0x${u16(d, o + 2).toString(16).padStart(4, '0')}`, o + 2, 2);
    if ((type === 128 || type === 129) && available >= 8) {
      field(layer, 'Identifier', `0x${u16(d, o + 4).toString(16).padStart(4, '0')}`, o + 4, 2);
      field(layer, 'Sequence Number', String(u16(d, o + 6)), o + 6, 2);
    }
    if (target !== undefined) field(layer, 'Target Address', target, o + 8, 16);
    if (headerLength < available && type >= 133 && type <= 137) field(layer, 'Options', `${available - headerLength} bytes`, o + headerLength, available - headerLength);
  }
  const claimed = type >= 133 && type <= 137 ? end : o + headerLength;
  claimData(c, claimed, end);
}

function decodeIgmp(c: DecodeContext, o: number, end: number): void {
  const d = c.d;
  c.s.protocol = 'IGMP';
  const available = end - o;
  if (available < 8) {
    markShort(c, 'IGMP message', available, 8, o);
    return;
  }
  const type = u8(d, o);
  c.s.info = IGMP_TYPE_NAMES[type] ?? `IGMP type 0x${type.toString(16)}`;
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Internet Group Management Protocol', o, available);
    field(layer, 'Type', `0x${type.toString(16)} (${c.s.info})`, o, 1);
  }
}
