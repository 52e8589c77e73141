/** Protocol numbers to the names Wireshark shows. */

export const ETHER_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x8035: 'RARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x88a8: '802.1ad',
  0x88cc: 'LLDP', 0x8847: 'MPLS', 0x8863: 'PPPoE Discovery', 0x8864: 'PPPoE Session', 0x888e: 'EAPOL', 0x88f7: 'PTP',
};

export const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: 'IPv6 Hop-by-Hop', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 43: 'IPv6 Routing',
  44: 'IPv6 Fragment', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 59: 'IPv6 No Next Header',
  60: 'IPv6 Destination Options', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP', 136: 'UDPLite',
};

export function ipProtocolName(protocol: number): string {
  return IP_PROTOCOL_NAMES[protocol] ?? `IP protocol ${protocol}`;
}

export const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench', 5: 'Redirect', 8: 'Echo (ping) request',
  9: 'Router advertisement', 10: 'Router solicitation', 11: 'Time-to-live exceeded', 12: 'Parameter problem',
  13: 'Timestamp request', 14: 'Timestamp reply',
};

export const ICMP_UNREACHABLE_CODES: readonly string[] = [
  'Network unreachable', 'Host unreachable', 'Protocol unreachable', 'Port unreachable',
  'Fragmentation needed', 'Source route failed', 'Destination network unknown', 'Destination host unknown',
  'Source host isolated', 'Network administratively prohibited', 'Host administratively prohibited',
  'Network unreachable for TOS', 'Host unreachable for TOS', 'Communication administratively filtered',
];

export const ICMPV6_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem',
  128: 'Echo (ping) request', 129: 'Echo (ping) reply', 130: 'Multicast Listener Query',
  131: 'Multicast Listener Report', 132: 'Multicast Listener Done', 133: 'Router Solicitation',
  134: 'Router Advertisement', 135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement', 137: 'Redirect',
  143: 'Multicast Listener Report Message v2',
};

export const ICMPV6_UNREACHABLE_CODES: readonly string[] = [
  'no route to destination', 'communication with destination administratively prohibited', 'beyond scope of source address',
  'address unreachable', 'port unreachable', 'source address failed ingress/egress policy', 'reject route to destination',
];

export const IGMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x11: 'Membership Query', 0x12: 'Membership Report v1', 0x16: 'Membership Report v2', 0x17: 'Leave Group',
  0x22: 'Membership Report v3',
};

/** Linux packet types in cooked (SLL/SLL2) headers. */
export const SLL_PACKET_TYPES: readonly string[] = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;

/** `TCP_FLAG_TEXT[flags]` = `[SYN, ACK]` for all 9-bit flag combinations, in Wireshark's order. */
export const TCP_FLAG_TEXT: readonly string[] = Array.from({ length: 512 }, (_, flags) => {
  const set = TCP_FLAG_NAMES.filter((_name, bit) => (flags & (1 << bit)) !== 0);
  return set.length > 0 ? `[${set.join(', ')}]` : '[<None>]';
});
