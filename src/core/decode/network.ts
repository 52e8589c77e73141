/**
 * Network layer: IPv4 (with options and fragments), IPv6 (with its extension-header
 * chain), and ARP. `limit` is the end of the captured bytes available to the layer.
 */
import { formatIPv4, formatIPv6, formatLinkAddress, u16, u32, u8 } from './bytes';
import { claimData, markBeyondCapture, markMalformed, markShort, type DecodeContext } from './context';
import { field, pushLayer } from './layers';
import { ETHER_TYPE_NAMES, ipProtocolName } from './names';
import { noteIpv4 } from './rowFields';
import { decodeTransport } from './transport';

export function decodeEtherType(c: DecodeContext, etherType: number, o: number): void {
  const limit = c.d.length;
  switch (etherType) {
    case 0x0800:
      return decodeIPv4(c, o, limit);
    case 0x86dd:
      return decodeIPv6(c, o, limit);
    case 0x0806:
      return decodeArp(c, o, limit);
    default: {
      const hex = `0x${etherType.toString(16).padStart(4, '0')}`;
      if (etherType < 0x0600) {
        // An IEEE 802.3 length field, not a type: LLC follows (STP, CDP...).
        c.s.protocol = 'LLC';
        c.s.info = `IEEE 802.3 frame, length ${etherType}`;
      } else {
        c.s.protocol = ETHER_TYPE_NAMES[etherType] ?? hex;
        c.s.info = `Ethernet type ${hex}`;
      }
      claimData(c, o, limit);
    }
  }
}

/** Raw IP link types: the version nibble says which. */
export function decodeRawIp(c: DecodeContext, o: number): void {
  const version = u8(c.d, o) >> 4;
  if (c.d.length <= o) {
    c.s.protocol = 'IP';
    markShort(c, 'IP header', 0, 20, o);
  } else if (version === 4) {
    decodeIPv4(c, o, c.d.length);
  } else if (version === 6) {
    decodeIPv6(c, o, c.d.length);
  } else {
    c.s.protocol = 'IP';
    markMalformed(c, `raw IP packet with unknown version ${version}`, o);
  }
}

export function decodeIPv4(c: DecodeContext, o: number, limit: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'IPv4';
  const available = limit - o;
  if (available < 20) {
    markShort(c, 'IPv4 header', available, 20, o);
    return;
  }
  const version = u8(d, o) >> 4;
  if (version !== 4) {
    markMalformed(c, `IPv4 header with version ${version}`, o);
    return;
  }
  const headerLength = (u8(d, o) & 0x0f) * 4;
  if (headerLength < 20) {
    markMalformed(c, `IPv4 header length ${headerLength} is less than 20`, o);
    return;
  }
  if (headerLength > available) {
    markShort(c, 'IPv4 header', available, headerLength, o);
    return;
  }
  const totalLength = u16(d, o + 2);
  let end: number;
  if (totalLength === 0) {
    // Reported as 0 by TCP segmentation offload on the sending host: use what was captured.
    end = limit;
  } else if (totalLength < headerLength) {
    markMalformed(c, `IPv4 total length ${totalLength} is less than the header length ${headerLength}`, o + 2);
    return;
  } else {
    end = o + totalLength;
    if (end > limit) {
      markBeyondCapture(c, `IPv4 total length ${totalLength} exceeds the ${available} bytes captured`, o + 2);
      end = limit;
    }
  }
  c.networkEnd = end;
  const protocol = u8(d, o + 9);
  const flagsAndOffset = u16(d, o + 6);
  const fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  s.src = formatIPv4(d, o + 12);
  s.dst = formatIPv4(d, o + 16);
  const layers = c.layers;
  if (layers) {
    const layer = pushLayer(layers, 'Internet Protocol Version 4', o, headerLength);
    field(layer, 'Version', '4', o, 1);
    field(layer, 'Header Length', `${headerLength} bytes`, o, 1);
    field(layer, 'Differentiated Services', `DSCP ${u8(d, o + 1) >> 2}, ECN ${u8(d, o + 1) & 3}`, o + 1, 1);
    field(layer, 'Total Length', String(totalLength), o + 2, 2);
    field(layer, 'Identification', `0x${u16(d, o + 4).toString(16).padStart(4, '0')} (${u16(d, o + 4)})`, o + 4, 2);
    const flagNames = [(flagsAndOffset & 0x4000) !== 0 ? "Don't fragment" : '', (flagsAndOffset & 0x2000) !== 0 ? 'More fragments' : ''].filter(Boolean);
    field(layer, 'Flags', flagNames.length > 0 ? flagNames.join(', ') : 'none', o + 6, 1);
    field(layer, 'Fragment Offset', String(fragmentOffset), o + 6, 2);
    field(layer, 'Time to Live', String(u8(d, o + 8)), o + 8, 1);
    field(layer, 'Protocol', `${ipProtocolName(protocol)} (${protocol})`, o + 9, 1);
    field(layer, 'Header Checksum', `0x${u16(d, o + 10).toString(16).padStart(4, '0')}`, o + 10, 2);
    field(layer, 'Source Address', s.src, o + 12, 4);
    field(layer, 'Destination Address', s.dst, o + 16, 4);
    if (headerLength > 20) field(layer, 'Options', `${headerLength - 20} bytes`, o + 20, headerLength - 20);
  }
  if (fragmentOffset > 0) {
    s.info = `Fragmented IP protocol (proto=${ipProtocolName(protocol)} ${protocol}, off=${fragmentOffset}, ID=${u16(d, o + 4).toString(16).padStart(4, '0')})`;
    claimData(c, o + headerLength, end);
    return;
  }
  noteIpv4(c, o, totalLength, fragmentOffset);
  decodeTransport(c, protocol, o + headerLength, end);
}

const IPV6_EXTENSION_NAMES: Readonly<Record<number, string>> = {
  0: 'IPv6 Hop-by-Hop Option', 43: 'Routing Header for IPv6', 44: 'Fragment Header for IPv6',
  51: 'Authentication Header', 60: 'Destination Options for IPv6',
};
const MAX_EXTENSION_HEADERS = 8;

export function decodeIPv6(c: DecodeContext, o: number, limit: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'IPv6';
  const available = limit - o;
  if (available < 40) {
    markShort(c, 'IPv6 header', available, 40, o);
    return;
  }
  const version = u8(d, o) >> 4;
  if (version !== 6) {
    markMalformed(c, `IPv6 header with version ${version}`, o);
    return;
  }
  const payloadLength = u16(d, o + 4);
  let next = u8(d, o + 6);
  s.src = formatIPv6(d, o + 8);
  s.dst = formatIPv6(d, o + 24);
  let end = o + 40 + payloadLength;
  if (payloadLength === 0 && next === 0) {
    end = limit; // a jumbogram: the real length is in a hop-by-hop option
  } else if (end > limit) {
    markBeyondCapture(c, `IPv6 payload length ${payloadLength} exceeds the ${available - 40} bytes captured`, o + 4);
    end = limit;
  }
  c.networkEnd = end;
  const layers = c.layers;
  if (layers) {
    const layer = pushLayer(layers, 'Internet Protocol Version 6', o, 40);
    field(layer, 'Version', '6', o, 1);
    field(layer, 'Traffic Class', `0x${((u16(d, o) >> 4) & 0xff).toString(16).padStart(2, '0')}`, o, 2);
    field(layer, 'Flow Label', `0x${(u32(d, o) & 0xfffff).toString(16).padStart(5, '0')}`, o + 1, 3);
    field(layer, 'Payload Length', String(payloadLength), o + 4, 2);
    field(layer, 'Next Header', `${ipProtocolName(next)} (${next})`, o + 6, 1);
    field(layer, 'Hop Limit', String(u8(d, o + 7)), o + 7, 1);
    field(layer, 'Source Address', s.src, o + 8, 16);
    field(layer, 'Destination Address', s.dst, o + 24, 16);
  }
  let p = o + 40;
  for (let n = 0; n < MAX_EXTENSION_HEADERS; n++) {
    const name = IPV6_EXTENSION_NAMES[next];
    if (name === undefined) break;
    if (p + 8 > end) {
      markShort(c, name, end - p, 8, p);
      return;
    }
    const headerNext = u8(d, p);
    let length: number;
    if (next === 44) length = 8;
    else if (next === 51) length = (u8(d, p + 1) + 2) * 4;
    else length = (u8(d, p + 1) + 1) * 8;
    if (p + length > end) {
      markShort(c, name, end - p, length, p);
      return;
    }
    const layer = layers ? pushLayer(layers, name, p, length) : undefined;
    if (layer) {
      field(layer, 'Next Header', `${ipProtocolName(headerNext)} (${headerNext})`, p, 1);
      field(layer, 'Length', `${length} bytes`, p + 1, 1);
      if (next === 0 || next === 60) ipv6OptionFields(d, p + 2, p + length, layer);
    }
    if (next === 44) {
      const offset = u16(d, p + 2) & 0xfff8;
      const more = (u16(d, p + 2) & 1) !== 0;
      const id = u32(d, p + 4);
      if (layer) {
        field(layer, 'Fragment Offset', String(offset), p + 2, 2);
        field(layer, 'More Fragments', more ? 'Yes' : 'No', p + 3, 1);
        field(layer, 'Identification', `0x${id.toString(16).padStart(8, '0')}`, p + 4, 4);
      }
      if (offset > 0) {
        s.info = `IPv6 fragment (off=${offset} more=${more ? 'y' : 'n'} ident=0x${id.toString(16).padStart(8, '0')} nxt=${headerNext})`;
        claimData(c, p + 8, end);
        return;
      }
    }
    next = headerNext;
    p += length;
  }
  if (next === 59) {
    s.info = 'IPv6 no next header';
    claimData(c, p, end);
    return;
  }
  decodeTransport(c, next, p, end);
}

function ipv6OptionFields(d: Uint8Array, p: number, end: number, layer: ReturnType<typeof pushLayer>): void {
  for (let n = 0; n < 32 && p < end; n++) {
    const type = u8(d, p);
    if (type === 0) {
      p++; // Pad1
      continue;
    }
    const length = u8(d, p + 1);
    if (p + 2 + length > end) return;
    if (type === 5 && length === 2) {
      const value = u16(d, p + 2);
      field(layer, 'Router Alert', value === 0 ? 'MLD (0)' : String(value), p, 4);
    } else if (type !== 1) {
      field(layer, 'Option', `type 0x${type.toString(16).padStart(2, '0')}, ${length} bytes`, p, 2 + length);
    }
    p += 2 + length;
  }
}

const ARP_OPCODES: readonly string[] = ['', 'request', 'reply', 'RARP request', 'RARP reply'];

export function decodeArp(c: DecodeContext, o: number, limit: number): void {
  const d = c.d;
  const s = c.s;
  s.protocol = 'ARP';
  const available = limit - o;
  if (available < 8) {
    markShort(c, 'ARP header', available, 8, o);
    return;
  }
  const hardwareLength = u8(d, o + 4);
  const protocolLength = u8(d, o + 5);
  const opcode = u16(d, o + 6);
  const length = 8 + 2 * (hardwareLength + protocolLength);
  if (available < length) {
    markShort(c, 'ARP message', available, length, o);
    return;
  }
  const senderHw = o + 8;
  const senderIp = senderHw + hardwareLength;
  const targetHw = senderIp + protocolLength;
  const targetIp = targetHw + hardwareLength;
  const isIPv4 = u16(d, o + 2) === 0x0800 && protocolLength === 4;
  const senderAddress = isIPv4 ? formatIPv4(d, senderIp) : formatLinkAddress(d, senderIp, protocolLength);
  const targetAddress = isIPv4 ? formatIPv4(d, targetIp) : formatLinkAddress(d, targetIp, protocolLength);
  const senderMac = formatLinkAddress(d, senderHw, hardwareLength);
  if (opcode === 1) {
    if (senderAddress === targetAddress) s.info = `ARP Announcement for ${senderAddress}`;
    else if (isIPv4 && u32(d, senderIp) === 0) s.info = `Who has ${targetAddress}? (ARP Probe)`;
    else s.info = `Who has ${targetAddress}? Tell ${senderAddress}`;
  } else if (opcode === 2) {
    s.info = `${senderAddress} is at ${senderMac}`;
  } else {
    s.info = `ARP ${ARP_OPCODES[opcode] ?? `opcode ${opcode}`}`;
  }
  c.networkEnd = o + length;
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Address Resolution Protocol', o, length);
    field(layer, 'Hardware Type', String(u16(d, o)), o, 2);
    field(layer, 'Protocol Type', `0x${u16(d, o + 2).toString(16).padStart(4, '0')}`, o + 2, 2);
    field(layer, 'Hardware Size', String(hardwareLength), o + 4, 1);
    field(layer, 'Protocol Size', String(protocolLength), o + 5, 1);
    field(layer, 'Opcode', `${ARP_OPCODES[opcode] || 'unknown'} (${opcode})`, o + 6, 2);
    field(layer, 'Sender MAC Address', senderMac, senderHw, hardwareLength);
    field(layer, 'Sender IP Address', senderAddress, senderIp, protocolLength);
    field(layer, 'Target MAC Address', formatLinkAddress(d, targetHw, hardwareLength), targetHw, hardwareLength);
    field(layer, 'Target IP Address', targetAddress, targetIp, protocolLength);
  }
}
