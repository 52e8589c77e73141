/** What the inspector shows for a packet the host decrypted: row text, badge, hover reason, layers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PacketLayer } from '../../src/core/packet';
import { TlsDecryptions } from '../../webview/tlsDecryptions';

const dissected: PacketLayer[] = [
  { name: 'Ethernet II', offset: 0, length: 14, fields: [] },
  { name: 'Transmission Control Protocol', offset: 34, length: 32, fields: [] },
  { name: 'Transport Layer Security', offset: 66, length: 60, fields: [] },
];

describe('inspector: decrypted TLS', () => {
  const tls = new TlsDecryptions();
  const request = new TextEncoder().encode('GET /api/items HTTP/1.1\r\nHost: web\r\n\r\n');
  tls.update([
    { number: 7, protocol: 'HTTP', info: 'GET /api/items HTTP/1.1 [decrypted TLS]', plaintext: request },
    { number: 9, notDecrypted: 'no keys for this session in the key log' },
  ], false, 0);

  it('a decrypted row shows the HTTP request line with the badge; an encrypted one says why on hover', () => {
    assert.deepEqual(tls.rowText(7, 'TLSv1.3', 'Application Data'), { protocol: 'HTTP', info: 'GET /api/items HTTP/1.1 [decrypted TLS]', decrypted: true, title: undefined });
    const other = tls.rowText(9, 'TLSv1.3', 'Application Data');
    assert.equal(other.decrypted, false);
    assert.equal(other.title, 'TLS not decrypted: no keys for this session in the key log');
    assert.equal(tls.rowText(3, 'TCP', 'ACK').info, 'ACK');
  });

  it('the decrypted layer comes right under the TLS record, with the request line and the text', () => {
    const layers = tls.withLayers(7, dissected);
    assert.deepEqual(layers.map((l) => l.name), ['Ethernet II', 'Transmission Control Protocol', 'Transport Layer Security', `Decrypted TLS (${request.length} bytes)`, 'Hypertext Transfer Protocol (decrypted)']);
    const http = layers[4];
    assert.equal(http?.fields.find((f) => f.name === 'Request line')?.value, 'GET /api/items HTTP/1.1');
    assert.equal(layers[3]?.fields[0]?.value, 'GET /api/items HTTP/1.1');
    // No byte range: the plaintext is not in the frame.
    assert.ok(layers.slice(3).every((l) => l.length === 0 && l.fields.every((f) => f.length === 0)));
  });

  it('plaintext that crossed postMessage as an indexed object still shows', () => {
    const other = new TlsDecryptions();
    other.update([{ number: 2, info: 'x', plaintext: { ...Array.from(request) } as unknown as Uint8Array }], false, 0);
    assert.equal(other.withLayers(2, dissected)[4]?.fields.find((f) => f.name === 'Request line')?.value, 'GET /api/items HTTP/1.1');
  });

  it('HTTP/2 frames of a decrypted packet: a layer per frame with type, stream, flags and the decoded headers', () => {
    const h2 = new TlsDecryptions();
    h2.update([{ number: 4, protocol: 'HTTP2', info: 'HEADERS[1]: GET /x [decrypted TLS]', plaintext: new Uint8Array(12), http2: [
      { type: 4, streamId: 0, flags: 1, length: 0 },
      { type: 1, streamId: 1, flags: 5, length: 3, headers: [[':method', 'GET'], [':path', '/x']] },
      { type: 1, streamId: 3, flags: 4, length: 2, headerError: 'HPACK: Indexed field OOB' },
    ] }], false, 0);
    assert.equal(h2.rowText(4, 'TLSv1.3', 'Application Data').protocol, 'HTTP2');
    const layers = h2.withLayers(4, dissected).slice(4);
    assert.deepEqual(layers.map((l) => l.name), ['HTTP/2 SETTINGS[0] (decrypted)', 'HTTP/2 HEADERS[1]: GET /x (decrypted)', 'HTTP/2 HEADERS[3] (decrypted)']);
    const value = (l: PacketLayer | undefined, name: string): string | undefined => l?.fields.find((f) => f.name === name)?.value;
    assert.equal(value(layers[0], 'Flags'), '0x01 (ACK)');
    assert.equal(value(layers[1], 'Flags'), '0x05 (END_STREAM, END_HEADERS)');
    assert.equal(value(layers[1], 'Header: :path'), '/x');
    assert.equal(value(layers[2], 'Header block not decoded'), 'HPACK: Indexed field OOB');
    assert.equal(h2.http2(4)?.length, 3);
    h2.forgetBefore(5);
    assert.equal(h2.http2(4), undefined);
  });

  it('a reset forgets earlier packets', () => {
    assert.equal(tls.update([], true, 7), true);
    assert.equal(tls.withLayers(7, dissected).length, 3);
  });
});
