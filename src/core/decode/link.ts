/**
 * Link layer: Ethernet (with 802.1Q/802.1ad tags), Linux cooked captures (SLL, SLL2:
 * what `tcpdump -i any` writes), BSD loopback (NULL) and raw IP link types.
 */
import { LinkType } from '../packet';
import { formatLinkAddress, formatMac, u16, u32, u8 } from './bytes';
import { claimData, markShort, type DecodeContext } from './context';
import { field, pushLayer } from './layers';
import { ETHER_TYPE_NAMES, SLL_PACKET_TYPES } from './names';
import { decodeEtherType, decodeIPv4, decodeIPv6, decodeRawIp } from './network';
import { noteNetworkStart } from './rowFields';

/** LINKTYPE_RAW as some systems number it (DLT_RAW = 12). */
const LINKTYPE_RAW_ALTERNATE = 12;
const MAX_VLAN_TAGS = 4;

export function decodeLink(c: DecodeContext, linkType: number): void {
  switch (linkType) {
    case LinkType.ETHERNET:
      return decodeEthernet(c);
    case LinkType.LINUX_SLL:
      return decodeSll(c);
    case LinkType.LINUX_SLL2:
      return decodeSll2(c);
    case LinkType.RAW:
    case LINKTYPE_RAW_ALTERNATE:
      return decodeRawIp(c, 0);
    case LinkType.IPV4:
      return decodeIPv4(c, 0, c.d.length);
    case LinkType.IPV6:
      return decodeIPv6(c, 0, c.d.length);
    case LinkType.NULL:
      return decodeNull(c);
    default:
      c.s.protocol = `LINKTYPE ${linkType}`;
      c.s.info = `Unsupported link type ${linkType}`;
      claimData(c, 0, c.d.length);
  }
}

function etherTypeText(type: number): string {
  return `${ETHER_TYPE_NAMES[type] ?? (type < 0x0600 ? 'length' : 'unknown')} (0x${type.toString(16).padStart(4, '0')})`;
}

function decodeEthernet(c: DecodeContext): void {
  const d = c.d;
  c.s.protocol = 'Ethernet';
  if (d.length < 14) {
    markShort(c, 'Ethernet header', d.length, 14, 0);
    return;
  }
  c.linkDst = 0;
  c.linkSrc = 6;
  c.linkAddressLength = 6;
  let type = u16(d, 12);
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Ethernet II', 0, 14);
    field(layer, 'Destination', formatMac(d, 0), 0, 6);
    field(layer, 'Source', formatMac(d, 6), 6, 6);
    field(layer, 'Type', etherTypeText(type), 12, 2);
  }
  let p = 14;
  for (let tags = 0; tags < MAX_VLAN_TAGS && (type === 0x8100 || type === 0x88a8 || type === 0x9100); tags++) {
    if (p + 4 > d.length) {
      c.s.protocol = '802.1Q';
      markShort(c, '802.1Q tag', d.length - p, 4, p);
      return;
    }
    const tci = u16(d, p);
    const innerType = u16(d, p + 2);
    if (c.layers) {
      const layer = pushLayer(c.layers, '802.1Q Virtual LAN', p, 4);
      field(layer, 'Priority', String(tci >> 13), p, 1);
      field(layer, 'DEI', String((tci >> 12) & 1), p, 1);
      field(layer, 'ID', String(tci & 0x0fff), p, 2);
      field(layer, 'Type', etherTypeText(innerType), p + 2, 2);
    }
    type = innerType;
    p += 4;
  }
  if (p === 14) noteNetworkStart(c, 14);
  decodeEtherType(c, type, p);
}

function cookedAddress(c: DecodeContext, at: number, length: number): void {
  if (length > 0) {
    c.linkSrc = at;
    c.linkAddressLength = Math.min(length, 8);
  }
}

/** Linux cooked capture v1: 16 bytes, the sender's address and the EtherType. */
function decodeSll(c: DecodeContext): void {
  const d = c.d;
  c.s.protocol = 'SLL';
  if (d.length < 16) {
    markShort(c, 'Linux cooked capture header', d.length, 16, 0);
    return;
  }
  const packetType = u16(d, 0);
  const addressLength = u16(d, 4);
  const type = u16(d, 14);
  cookedAddress(c, 6, addressLength);
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Linux cooked capture v1', 0, 16);
    field(layer, 'Packet Type', `${SLL_PACKET_TYPES[packetType] ?? 'Unknown'} (${packetType})`, 0, 2);
    field(layer, 'Link-layer Address Type', String(u16(d, 2)), 2, 2);
    field(layer, 'Link-layer Address Length', String(addressLength), 4, 2);
    field(layer, 'Source', formatLinkAddress(d, 6, Math.min(addressLength, 8)), 6, 8);
    field(layer, 'Protocol', etherTypeText(type), 14, 2);
  }
  noteNetworkStart(c, 16);
  decodeEtherType(c, type, 16);
}

/** Linux cooked capture v2 (tcpdump -i any): 20 bytes, adds the interface index. */
function decodeSll2(c: DecodeContext): void {
  const d = c.d;
  c.s.protocol = 'SLL2';
  if (d.length < 20) {
    markShort(c, 'Linux cooked capture v2 header', d.length, 20, 0);
    return;
  }
  const type = u16(d, 0);
  const packetType = u8(d, 10);
  const addressLength = u8(d, 11);
  cookedAddress(c, 12, addressLength);
  if (c.layers) {
    const layer = pushLayer(c.layers, 'Linux cooked capture v2', 0, 20);
    field(layer, 'Protocol', etherTypeText(type), 0, 2);
    field(layer, 'Interface Index', String(u32(d, 4)), 4, 4);
    field(layer, 'Link-layer Address Type', String(u16(d, 8)), 8, 2);
    field(layer, 'Packet Type', `${SLL_PACKET_TYPES[packetType] ?? 'Unknown'} (${packetType})`, 10, 1);
    field(layer, 'Link-layer Address Length', String(addressLength), 11, 1);
    field(layer, 'Source', formatLinkAddress(d, 12, Math.min(addressLength, 8)), 12, 8);
  }
  noteNetworkStart(c, 20);
  decodeEtherType(c, type, 20);
}

/** BSD loopback: a 4-byte address family in the capturing host's byte order. */
function decodeNull(c: DecodeContext): void {
  const d = c.d;
  c.s.protocol = 'Null';
  if (d.length < 4) {
    markShort(c, 'Null/Loopback header', d.length, 4, 0);
    return;
  }
  const family = u8(d, 0) !== 0 || u8(d, 1) !== 0 ? u8(d, 0) | (u8(d, 1) << 8) : u16(d, 2);
  if (c.layers) field(pushLayer(c.layers, 'Null/Loopback', 0, 4), 'Family', String(family), 0, 4);
  if (family === 2) decodeIPv4(c, 4, d.length);
  else if (family === 10 || family === 24 || family === 28 || family === 30) decodeIPv6(c, 4, d.length);
  else {
    c.s.info = `Address family ${family}`;
    claimData(c, 4, d.length);
  }
}

/** Source MAC of an Ethernet or cooked (SLL/SLL2) frame, lower-case; undefined otherwise. */
export function linkSourceMac(d: Uint8Array, linkType: number): string | undefined {
  if (linkType === LinkType.ETHERNET) return d.length >= 14 ? formatMac(d, 6) : undefined;
  if (linkType === LinkType.LINUX_SLL) return d.length >= 16 && u16(d, 4) === 6 ? formatMac(d, 6) : undefined;
  if (linkType === LinkType.LINUX_SLL2) return d.length >= 20 && u8(d, 11) === 6 ? formatMac(d, 12) : undefined;
  return undefined;
}
