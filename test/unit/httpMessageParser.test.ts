/** HTTP/1.x message framing in pieces: what the HTTP exchanges view pairs and shows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpMessageParser, type HttpMessage } from '../../src/core/stream/httpMessageParser';
import { compileFilter } from '../../src/core/filter/index';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function parse(pieces: string[], bodyless: (m: HttpMessage) => boolean = () => false): HttpMessage[] {
  const out: HttpMessage[] = [];
  const parser = new HttpMessageParser((m) => out.push(m), bodyless);
  pieces.forEach((p, i) => parser.push(bytes(p), 0, i + 1, i));
  parser.end();
  return out;
}

const text = (m: HttpMessage | undefined): string => new TextDecoder().decode(m?.body);

describe('HttpMessageParser', () => {
  it('pipelined requests split anywhere, a Content-Length body across pieces', () => {
    const all = 'POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n';
    const messages = parse([all.slice(0, 7), all.slice(7, 40), all.slice(40)]);
    assert.deepEqual(messages.map((m) => [m.startLine, text(m), m.complete, m.firstPacket, m.lastPacket]), [
      ['POST /a HTTP/1.1', 'hello', true, 1, 3],
      ['GET /b HTTP/1.1', '', true, 3, 3],
    ]);
  });

  it('chunked bodies are decoded; their framing counts in the size', () => {
    const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n';
    const [m, ...rest] = parse([wire.slice(0, 50), wire.slice(50, 61), wire.slice(61)]);
    assert.equal(rest.length, 0);
    assert.equal(text(m), 'hello world');
    assert.equal(m?.bodySize, 11);
    assert.equal(m?.size, wire.length);
    assert.equal(m?.complete, true);
  });

  it('a response without length runs to the end of the stream; HEAD/204/304 answers have no body', () => {
    assert.deepEqual(parse(['HTTP/1.0 200 OK\r\n\r\nabc', 'def']).map((m) => [text(m), m.complete]), [['abcdef', true]]);
    const head = parse(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n'], () => true);
    assert.deepEqual(head.map((m) => m.startLine), ['HTTP/1.1 200 OK', 'HTTP/1.1 304 Not Modified']);
  });

  it('a stream that is not HTTP, or has a hole, is left alone; a cut-short body says incomplete', () => {
    assert.deepEqual(parse(['\x16\x03\x01 TLS bytes']), []);
    const out: HttpMessage[] = [];
    const parser = new HttpMessageParser((m) => out.push(m));
    parser.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), 0, 1, 0);
    parser.push(bytes('xyz'), 4, 2, 1);
    assert.equal(parser.active, false);
    assert.deepEqual(out.map((m) => [text(m), m.complete]), [['abc', false]]);
  });
});

describe('stream filter fields without a stream table', () => {
  it('say why instead of matching nothing; the retransmission flag takes no value', () => {
    const missing = compileFilter('tcp.stream == 1', { hostnames: {} });
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.message, /needs the capture's streams/);
    const streams = { tcpStream: () => 0, udpStream: () => -1, isRetransmission: () => false };
    const flag = compileFilter('tcp.analysis.retransmission == 1', { hostnames: {}, streams });
    assert.match(flag.ok ? '' : flag.message, /is a flag/);
    assert.equal(compileFilter('udp.stream >= 0 or tcp.stream', { hostnames: {}, streams }).ok, true);
  });
});
