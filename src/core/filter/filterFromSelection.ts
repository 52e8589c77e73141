/**
 * Wireshark's "Apply as Filter" / "Prepare as Filter": an expression for the
 * cell or field the user right-clicked, combined with the filter already in
 * the box (Selected, Not Selected, ...and Selected, ...or Selected, ...).
 */
import { parseIpv4, parseIpv6 } from './frameFields';

export type FilterCombination = 'selected' | 'notSelected' | 'andSelected' | 'orSelected' | 'andNotSelected' | 'orNotSelected';

/** The new filter text, as Wireshark writes it: `!(x)`, `(old) && (x)`, `(old) || !(x)`. */
export function combineFilter(current: string, selected: string, how: FilterCombination): string {
  const old = current.trim();
  const negated = how === 'notSelected' || how === 'andNotSelected' || how === 'orNotSelected';
  const term = negated ? `!(${selected})` : selected;
  if (how === 'selected' || how === 'notSelected' || old === '') return term;
  const joiner = how === 'andSelected' || how === 'andNotSelected' ? '&&' : '||';
  return `(${old}) ${joiner} ${negated ? term : `(${term})`}`;
}

/** A string value in filter syntax: double quotes, with `\` and `"` escaped. */
export function quoteFilterValue(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** `ip.src == 172.17.0.2`, `eth.src == 02:42:...`, or undefined when the value is neither. */
export function addressFilter(side: 'src' | 'dst', address: string): string | undefined {
  if (parseIpv4(address) !== undefined || parseIpv6(address) !== undefined) return `ip.${side} == ${address}`;
  if (MAC.test(address)) return `eth.${side} == ${address.toLowerCase()}`;
  return undefined;
}

/**
 * The filter that selects a field of the detail tree with its value, keyed by
 * the decoder's layer and field names (core/decode); undefined for a field the
 * filter language has no name for.
 */
export function fieldFilter(layer: string, field: string, value: string): string | undefined {
  const number = (name: string): string | undefined => (/^\d+$/.test(value) ? `${name} == ${value}` : undefined);
  switch (layer) {
    case 'Frame': {
      const first = value.split(' ')[0] ?? '';
      if (field === 'Interface') return value ? `iface == ${quoteFilterValue(value)}` : undefined;
      if (field === 'Direction') return first === 'in' || first === 'out' ? `dir == ${first}` : undefined;
      if (field === 'Frame length') return /^\d+$/.test(first) ? `frame.len == ${first}` : undefined;
      if (field === 'Number') return number('frame.number');
      return undefined;
    }
    case 'Ethernet II':
      if (field === 'Source') return addressFilter('src', value);
      if (field === 'Destination') return addressFilter('dst', value);
      return undefined;
    case 'Internet Protocol Version 4':
    case 'Internet Protocol Version 6':
      if (field === 'Source Address') return addressFilter('src', value);
      if (field === 'Destination Address') return addressFilter('dst', value);
      return undefined;
    case 'Transmission Control Protocol':
      if (field === 'Source Port') return number('tcp.srcport');
      if (field === 'Destination Port') return number('tcp.dstport');
      if (field === 'Payload Length') return number('tcp.len');
      if (field === 'Flags') return /^0x[0-9a-f]{3}\b/i.test(value) ? `tcp.flags == ${value.slice(0, 5)}` : undefined;
      return undefined;
    case 'User Datagram Protocol':
      if (field === 'Source Port') return number('udp.srcport');
      if (field === 'Destination Port') return number('udp.dstport');
      return undefined;
    case 'Domain Name System': {
      // "web.test: type A, class IN"
      if (field !== 'Query') return undefined;
      const name = value.slice(0, value.indexOf(':') < 0 ? value.length : value.indexOf(':'));
      return `dns.qry.name == ${quoteFilterValue(name)}`;
    }
    case 'Hypertext Transfer Protocol': {
      if (field === 'Request line') {
        const [method, uri] = value.split(' ');
        return method && uri ? `http.request.method == ${quoteFilterValue(method)} && http.request.uri == ${quoteFilterValue(uri)}` : undefined;
      }
      if (field === 'Status line') {
        const code = value.split(' ')[1] ?? '';
        return /^\d{3}$/.test(code) ? `http.response.code == ${code}` : undefined;
      }
      return undefined;
    }
    case 'Transport Layer Security':
      return field === 'Server Name' ? `tls.handshake.extensions_server_name == ${quoteFilterValue(value)}` : undefined;
    default:
      return undefined;
  }
}
