import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilteredRows } from '../../src/core/filter/index';
import { PacketStore } from '../../src/core/packetStore';
import { summarize } from '../../src/core/decode/index';
import { arpFrame, dnsQuery, ipv4Frame, ipv6UdpFrame } from './filterTestFrames';

const hostnames = { '172.17.0.2': 'client', '172.17.0.3': 'web', 'fd00::3': 'web' };

/** Eight packets; their numbers are 1..8 in this order. */
function sampleStore(): PacketStore {
  const store = new PacketStore({ maxPackets: 100, summarize });
  store.append(ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80, payload: 'GET / HTTP/1.1\r\nHost: web\r\n\r\n' }));
  store.append(ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'tcp', srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 200 OK\r\n\r\nhello', direction: 'in' }));
  store.append(ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.10', transport: 'udp', srcPort: 5353, dstPort: 53, payload: dnsQuery('web.test') }));
  store.append(ipv4Frame({ src: '127.0.0.1', dst: '127.0.0.1', transport: 'udp', srcPort: 9000, dstPort: 9001, payload: 'ping', interfaceName: 'lo' }));
  store.append(ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'icmp', direction: 'in' }));
  store.append(arpFrame('172.17.0.2', '172.17.0.1'));
  store.append(ipv6UdpFrame({ src: 'fd00::2', dst: 'fd00::3', transport: 'udp', srcPort: 7000, dstPort: 7001, payload: 'v6data' }));
  store.append(ipv4Frame({ src: '10.0.0.5', dst: '172.17.0.2', transport: 'tcp', srcPort: 1234, dstPort: 22, direction: 'in' }));
  return store;
}

function shown(expression: string, store = sampleStore()): number[] {
  const compiled = compileFilter(expression, { hostnames });
  if (!compiled.ok) assert.fail(`'${expression}' did not compile: ${compiled.message}`);
  const rows = new FilteredRows(store);
  rows.setPredicate(compiled.predicate);
  return [...rows.toArray()];
}

function errorOf(expression: string): { message: string; column: number } {
  const compiled = compileFilter(expression, { hostnames });
  if (compiled.ok) assert.fail(`'${expression}' should not compile`);
  return { message: compiled.message, column: compiled.column };
}

test('an empty filter shows every packet', () => {
  assert.deepEqual(shown(''), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(shown('   '), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('addresses: ip.addr, ip.src, ip.dst, CIDR blocks and IPv6', () => {
  assert.deepEqual(shown('ip.addr == 172.17.0.3'), [1, 2, 5]);
  assert.deepEqual(shown('ip.src == 172.17.0.3'), [2, 5]);
  assert.deepEqual(shown('ip.dst == 172.17.0.2'), [2, 5, 8]);
  assert.deepEqual(shown('ip.addr != 172.17.0.3'), [3, 4, 6, 7, 8]);
  assert.deepEqual(shown('ip.addr == 10.0.0.0/8'), [8]);
  assert.deepEqual(shown('ip.addr == fd00::3'), [7]);
});

test('container names through hostnames: host == NAME covers all its addresses', () => {
  assert.deepEqual(shown('host == web'), [1, 2, 5, 7]);
  assert.deepEqual(shown('ip.src == client'), [1, 3]);
});

test('ports: port, tcp.port, udp.port, src.port, dst.port, ranges', () => {
  assert.deepEqual(shown('port == 80'), [1, 2]);
  assert.deepEqual(shown('tcp.port == 53'), []);
  assert.deepEqual(shown('udp.port == 53'), [3]);
  assert.deepEqual(shown('src.port == 80'), [2]);
  assert.deepEqual(shown('dst.port == 80'), [1]);
  assert.deepEqual(shown('dst.port >= 7001 and dst.port < 9002'), [4, 7]);
  assert.deepEqual(shown('port < 100'), [1, 2, 3, 8]);
});

test('protocol words match the layer anywhere in the packet', () => {
  assert.deepEqual(shown('tcp'), [1, 2, 8]);
  assert.deepEqual(shown('udp'), [3, 4, 7]);
  assert.deepEqual(shown('icmp'), [5]);
  assert.deepEqual(shown('arp'), [6]);
  assert.deepEqual(shown('ipv6'), [7]);
  assert.deepEqual(shown('proto == udp'), [3, 4, 7]);
  assert.deepEqual(shown('proto != tcp'), [3, 4, 5, 6, 7]);
});

test('direction, interface and length', () => {
  assert.deepEqual(shown('dir == in'), [2, 5, 8]);
  assert.deepEqual(shown('out'), [1, 3, 4, 6, 7]);
  assert.deepEqual(shown('iface == lo'), [4]);
  assert.deepEqual(shown('len > 70'), [1, 2]);
  assert.deepEqual(shown('len <= 68'), [3, 4, 5, 6, 7, 8]);
  assert.deepEqual(shown('len == 60'), [4, 5, 6, 8]);
});

test('payload contains finds text in TCP/UDP payloads, never in Ethernet padding', () => {
  assert.deepEqual(shown('payload contains "GET"'), [1]);
  assert.deepEqual(shown('contains "HTTP/1.1"'), [1, 2]);
  assert.deepEqual(shown('contains "web"'), [1, 3]);
  assert.deepEqual(shown('contains "v6data"'), [7]);
  assert.deepEqual(shown('contains "hello"'), [2]);
  assert.deepEqual(shown('contains "ping"'), [4]);
  // Packet 4 is followed by 14 bytes of zero padding in its Ethernet frame.
  assert.deepEqual(shown('contains "ping\\x00"'), []);
  // The ICMP echo header (08 00 .. 00 01 00 01) counts as payload: there is no TCP/UDP header.
  assert.deepEqual(shown('contains "\\x00\\x01\\x00\\x01"'), [3, 5]);
});

test('boolean operators, both spellings, with precedence and parentheses', () => {
  assert.deepEqual(shown('tcp and dir == in'), [2, 8]);
  assert.deepEqual(shown('tcp && in'), [2, 8]);
  assert.deepEqual(shown('icmp or arp'), [5, 6]);
  assert.deepEqual(shown('icmp || arp'), [5, 6]);
  assert.deepEqual(shown('not tcp'), [3, 4, 5, 6, 7]);
  assert.deepEqual(shown('!udp and !tcp'), [5, 6]);
  // and binds tighter than or
  assert.deepEqual(shown('arp or tcp and in'), [2, 6, 8]);
  assert.deepEqual(shown('(arp or tcp) and in'), [2, 8]);
  assert.deepEqual(shown('not (port == 80 or port == 53) and ip'), [4, 5, 8]);
});

test('invalid expressions report what is wrong and at which column', () => {
  assert.deepEqual(errorOf('ip.addr == '), { message: "expected a value after '==' at column 9", column: 9 });
  assert.deepEqual(errorOf('tcp and'), { message: "expected an expression after 'and' at column 5", column: 5 });
  assert.deepEqual(errorOf('foo == 1'), { message: "unknown field 'foo' at column 1", column: 1 });
  assert.deepEqual(errorOf('tcp or bogus'), { message: "unknown field or protocol 'bogus' at column 8", column: 8 });
  assert.deepEqual(errorOf('(tcp or udp'), { message: "expected ')' to close the '(' at column 1", column: 12 });
  assert.deepEqual(errorOf('tcp)'), { message: "unmatched ')' at column 4", column: 4 });
  assert.deepEqual(errorOf('port == http'), { message: "'http' is not a port number (0-65535) (column 9)", column: 9 });
  assert.deepEqual(errorOf('port == 70000'), { message: "'70000' is not a port number (0-65535) (column 9)", column: 9 });
  assert.deepEqual(errorOf('ip.addr > 1.2.3.4'), { message: "'ip.addr' can only be compared with == or != (column 9)", column: 9 });
  assert.deepEqual(errorOf('payload contains "GET'), { message: 'unterminated string starting at column 18', column: 18 });
  assert.deepEqual(errorOf('len > 5 # x'), { message: "unexpected character '#' at column 9", column: 9 });
  assert.deepEqual(errorOf('tcp udp'), { message: "expected 'and' or 'or' before 'udp' at column 5", column: 5 });
  assert.deepEqual(errorOf('dir == sideways'), { message: "direction is 'in' or 'out', not 'sideways' (column 8)", column: 8 });
  assert.match(errorOf('host == nosuch').message, /'nosuch' is neither an IP address nor a known container name \(known: client, web\)/);
  assert.deepEqual(errorOf('port'), { message: "expected an operator (==, !=, <, >, contains...) after 'port' at column 5", column: 5 });
});

test('new packets are filtered as they arrive', () => {
  const store = sampleStore();
  const rows = new FilteredRows(store);
  const compiled = compileFilter('port == 80', { hostnames });
  assert.ok(compiled.ok);
  rows.setPredicate(compiled.predicate);
  store.append(ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80 }));
  store.append(ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort: 1, dstPort: 2 }));
  rows.update();
  assert.deepEqual([...rows.toArray()], [1, 2, 9]);
  assert.equal(rows.indexOf(9), 2);
  assert.equal(rows.indexOf(10), -1);
});

test('a filter over 1,000,000 packets keeps exactly the matching ones (time printed; the target lives in npm run bench)', () => {
  const store = new PacketStore({ maxPackets: 1_000_000, summarize: () => ({ src: '', dst: '', protocol: 'TCP', info: '', payloadOffset: 0, payloadLength: 0 }) });
  const frames = [
    ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'tcp', srcPort: 40000, dstPort: 80, payload: 'GET / HTTP/1.1\r\n\r\n' }),
    ipv4Frame({ src: '172.17.0.3', dst: '172.17.0.2', transport: 'udp', srcPort: 53, dstPort: 5353, payload: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }),
    ipv4Frame({ src: '10.1.2.3', dst: '172.17.0.9', transport: 'tcp', srcPort: 443, dstPort: 50000, payload: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyy' }),
  ];
  for (let i = 0; i < 1_000_000; i++) store.append(frames[i % 3] as (typeof frames)[number]);
  const rows = new FilteredRows(store);
  const expected: [string, number][] = [
    ['ip.addr == 172.17.0.3 and tcp.port == 80', 333_334], // the HTTP frame, every third packet from the first
    ['payload contains "GET"', 333_334],
    ['not udp and len > 60', 666_667], // both TCP frames
  ];
  for (const [expression, count] of expected) {
    const compiled = compileFilter(expression, { hostnames });
    assert.ok(compiled.ok);
    const started = performance.now();
    rows.setPredicate(compiled.predicate);
    const elapsed = performance.now() - started;
    assert.equal(rows.length, count, expression);
    console.log(`filter '${expression}' over 1,000,000 packets: ${elapsed.toFixed(0)} ms, ${rows.length} shown`);
  }
});
