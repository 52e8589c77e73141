/**
 * Apply/Prepare as Filter: the expressions built from a right-clicked cell or
 * field, combined as Wireshark combines them, and every one of them a valid
 * filter; and the host's check of what a context menu hands its commands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineFilter, fieldFilter } from '../../src/core/filter/filterFromSelection';
import { compileFilter } from '../../src/core/filter/index';
import { contextActionMessage } from '../../src/extension/inspector/contextActionMessage';
import { parseFromWebview } from '../../src/extension/inspector/inspectorConnection';

test('combinations read as Wireshark writes them', () => {
  assert.equal(combineFilter('', 'tcp', 'selected'), 'tcp');
  assert.equal(combineFilter('', 'tcp', 'notSelected'), '!(tcp)');
  assert.equal(combineFilter('', 'tcp', 'andSelected'), 'tcp', 'nothing to combine with');
  assert.equal(combineFilter('udp', 'tcp', 'selected'), 'tcp');
  assert.equal(combineFilter('udp', 'tcp', 'andSelected'), '(udp) && (tcp)');
  assert.equal(combineFilter('udp', 'tcp', 'orSelected'), '(udp) || (tcp)');
  assert.equal(combineFilter(' udp ', 'tcp', 'andNotSelected'), '(udp) && !(tcp)');
  assert.equal(combineFilter('udp', 'tcp', 'orNotSelected'), '(udp) || !(tcp)');
});

test('fields of the layer tree become filters that compile', () => {
  const cases: [string, string, string, string | undefined][] = [
    ['Frame', 'Interface', 'eth0', 'iface == "eth0"'],
    ['Frame', 'Direction', 'out (sent by the container)', 'dir == out'],
    ['Frame', 'Frame length', '83 bytes', 'frame.len == 83'],
    ['Frame', 'Number', '7', 'frame.number == 7'],
    ['Ethernet II', 'Source', '02:42:AC:11:00:02', 'eth.src == 02:42:ac:11:00:02'],
    ['Internet Protocol Version 4', 'Source Address', '172.17.0.2', 'ip.src == 172.17.0.2'],
    ['Internet Protocol Version 6', 'Destination Address', 'fd00::3', 'ip.dst == fd00::3'],
    ['Transmission Control Protocol', 'Destination Port', '80', 'tcp.dstport == 80'],
    ['Transmission Control Protocol', 'Flags', '0x012 SYN, ACK', 'tcp.flags == 0x012'],
    ['Transmission Control Protocol', 'Payload Length', '10', 'tcp.len == 10'],
    ['User Datagram Protocol', 'Source Port', '53', 'udp.srcport == 53'],
    ['Domain Name System', 'Query', 'web.test: type A, class IN', 'dns.qry.name == "web.test"'],
    ['Hypertext Transfer Protocol', 'Request line', 'GET /a"b HTTP/1.1', 'http.request.method == "GET" && http.request.uri == "/a\\"b"'],
    ['Hypertext Transfer Protocol', 'Status line', 'HTTP/1.1 404 Not Found', 'http.response.code == 404'],
    ['Transport Layer Security', 'Server Name', 'example.test', 'tls.handshake.extensions_server_name == "example.test"'],
    ['Internet Protocol Version 4', 'Header Checksum', '0x1234', undefined],
  ];
  for (const [layer, field, value, expected] of cases) {
    const filter = fieldFilter(layer, field, value);
    assert.equal(filter, expected, `${layer} / ${field}`);
    if (filter) {
      const compiled = compileFilter(filter, { hostnames: {} });
      assert.ok(compiled.ok, `${filter}: ${compiled.ok ? '' : compiled.message}`);
    }
  }
});

test('a context-menu argument reaches the inspectors only with the expected keys and shapes', () => {
  const good = { webview: 'dockerNetworkCapture.inspector', inspector: '0123456789abcdef', webviewSection: 'packetRow', packet: 4, column: 'source', extra: 'x' };
  assert.deepEqual(contextActionMessage('applySelected', good), { type: 'contextAction', target: '0123456789abcdef', action: 'applySelected', packet: 4, column: 'source' });
  assert.deepEqual(contextActionMessage('copyFieldValue', { inspector: '0123456789abcdef', packet: 2, field: '3.1' }), { type: 'contextAction', target: '0123456789abcdef', action: 'copyFieldValue', packet: 2, field: '3.1' });
  assert.equal(contextActionMessage('applySelected', undefined), undefined);
  assert.equal(contextActionMessage('applySelected', { inspector: '../../etc' }), undefined);
  const odd = contextActionMessage('applySelected', { inspector: '0123456789abcdef', packet: -1, column: 'a b', field: '1.2.3' });
  assert.deepEqual(odd, { type: 'contextAction', target: '0123456789abcdef', action: 'applySelected' });
});

test('the inspector may ask the host to copy text, within a size limit', () => {
  assert.deepEqual(parseFromWebview({ type: 'copy', text: 'ip.src == 1.2.3.4' }), { type: 'copy', text: 'ip.src == 1.2.3.4' });
  assert.equal(parseFromWebview({ type: 'copy', text: 42 }), undefined);
  assert.equal(parseFromWebview({ type: 'copy', text: 'x'.repeat(4_000_001) }), undefined);
});
