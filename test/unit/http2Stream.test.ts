/**
 * The HTTP/2 decoder of decrypted data (core/http2/http2Stream.ts) with hpack.js: the real
 * h2 connections of the h1h2 fixture cut at every possible place give the same frames and
 * headers; a header block HPACK cannot decode says so (and the later blocks of that
 * direction are not guessed at); HTTP/1.x is not taken for HTTP/2; random bytes never
 * throw; gaps and oversized frames stop the direction.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createHpackDecoder } from '../../src/client/tls/hpackDecoder';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { HTTP2_PREFACE, MAGIC_TYPE, type Http2Frame } from '../../src/core/http2/http2Frame';
import { Http2Stream } from '../../src/core/http2/http2Stream';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { ContentType } from '../../src/core/tls/tlsRecord';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';

const DIR = join(__dirname, '..', 'support', 'tlsFixtures');

/** Each TCP stream's decrypted application data per direction, in record order. */
function decryptedStreams(): Map<string, Buffer> {
  const file = readPcapFile(readFileSync(join(DIR, 'h1h2.pcap')));
  const d = new TlsDecryptor(nodeTlsCrypto);
  d.addKeyLog(readFileSync(join(DIR, 'h1h2.keys'), 'utf8'), true);
  file.records.forEach((r, i) => d.addFrame(i, r.data, r.linkType));
  d.finish();
  const parts = new Map<string, Buffer[]>();
  file.records.forEach((_, i) => {
    for (const r of d.recordsOf(i) ?? []) {
      if (r.status !== 'decrypted' || r.innerType !== ContentType.applicationData || !r.plaintext) continue;
      const key = `${r.stream}:${r.fromClient ? 'client' : 'server'}`;
      parts.set(key, [...(parts.get(key) ?? []), Buffer.from(r.plaintext)]);
    }
  });
  return new Map([...parts].map(([k, v]) => [k, Buffer.concat(v)]));
}

function feed(fromClient: boolean, bytes: Uint8Array, cut: (at: number) => number): Http2Frame[] {
  const h2 = new Http2Stream(fromClient, createHpackDecoder);
  const frames: Http2Frame[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = Math.max(1, Math.min(cut(at), bytes.length - at));
    frames.push(...h2.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return frames;
}

function frameHeader(length: number, type: number, flags: number, stream: number): number[] {
  return [length >> 16, (length >> 8) & 0xff, length & 0xff, type, flags, (stream >>> 24) & 0x7f, (stream >> 16) & 0xff, (stream >> 8) & 0xff, stream & 0xff];
}

const PREFACE = [...Buffer.from(HTTP2_PREFACE, 'latin1')];
const SETTINGS = frameHeader(0, 4, 0, 0);

describe('HTTP/2 decoding of decrypted data', () => {
  const streams = decryptedStreams();

  it('real connections: bytes cut anywhere (1 byte, 7 bytes, record sizes) give the same frames and headers', () => {
    const h2 = [...streams].filter(([, bytes]) => bytes.subarray(0, 3).toString() === 'PRI' || bytes[3] === 4);
    assert.ok(h2.length >= 4, `h2 directions: ${h2.map(([k]) => k).join(', ')}`);
    for (const [key, bytes] of h2) {
      const fromClient = key.endsWith('client');
      const whole = feed(fromClient, bytes, () => bytes.length);
      assert.ok(whole.length > 2, key);
      assert.ok(whole.some((f) => f.headers && f.headers.length > 0) || key.endsWith('server'), `${key}: no headers`);
      assert.deepEqual(feed(fromClient, bytes, () => 1), whole, `${key}, byte by byte`);
      assert.deepEqual(feed(fromClient, bytes, () => 7), whole, `${key}, 7 bytes at a time`);
      if (fromClient) assert.equal(whole[0]?.type, MAGIC_TYPE);
    }
  });

  it('HTTP/1.1 inside TLS is not HTTP/2', () => {
    const h1 = [...streams].filter(([, bytes]) => /^(GET|HTTP\/1\.1)/.test(bytes.subarray(0, 8).toString()));
    assert.equal(h1.length, 2);
    for (const [key, bytes] of h1) {
      const h2 = new Http2Stream(key.endsWith('client'), createHpackDecoder);
      assert.deepEqual(h2.push(bytes), []);
      assert.equal(h2.done, true);
      assert.equal(h2.isHttp2, false);
    }
  });

  it('a header block HPACK cannot decode: the reason on the frame, and later blocks of that direction not guessed', () => {
    // 0xbf 0x7f...: an index far past the tables; then a valid block (0x82: ":method: GET").
    const bad = [0xbf, 0x7f];
    const bytes = Uint8Array.from([...PREFACE, ...SETTINGS, ...frameHeader(bad.length, 1, 0x5, 1), ...bad, ...frameHeader(1, 1, 0x5, 3), 0x82]);
    const frames = feed(true, bytes, () => bytes.length);
    assert.deepEqual(frames.map((f) => f.type), [MAGIC_TYPE, 4, 1, 1]);
    assert.equal(frames[2]?.headers, undefined);
    assert.match(frames[2]?.headerError ?? '', /^HPACK: /);
    assert.equal(frames[3]?.headers, undefined);
    assert.match(frames[3]?.headerError ?? '', /earlier header block/);
  });

  it('HEADERS with PADDED and PRIORITY, then CONTINUATION: one header list, on the HEADERS frame', () => {
    // 0x82 :method GET, 0x84 :path /, padding of 2 bytes, priority fields of 5.
    const payload = [2, 0, 0, 0, 0, 16, 0x82, 0, 0];
    const bytes = Uint8Array.from([...PREFACE, ...SETTINGS, ...frameHeader(payload.length, 1, 0x8 | 0x20, 1), ...payload, ...frameHeader(1, 9, 0x4, 1), 0x84]);
    const frames = feed(true, bytes, () => 3);
    assert.deepEqual(frames[2]?.headers, [[':method', 'GET'], [':path', '/']]);
    assert.equal(frames[3]?.type, 9);
  });

  it('a server direction starts with SETTINGS; anything else is not HTTP/2', () => {
    assert.equal(new Http2Stream(false, createHpackDecoder).push(Uint8Array.from(SETTINGS)).length, 1);
    const other = new Http2Stream(false, createHpackDecoder);
    assert.deepEqual(other.push(Uint8Array.from(frameHeader(0, 1, 0, 1))), []);
    assert.equal(other.done, true);
  });

  it('a gap in the data, a frame interrupting a header block or a huge frame stops the direction', () => {
    const gap = new Http2Stream(true, createHpackDecoder);
    gap.push(Uint8Array.from(PREFACE));
    gap.gap('3 bytes missing');
    assert.deepEqual(gap.push(Uint8Array.from(SETTINGS)), []);
    assert.equal(gap.stopReason, '3 bytes missing');
    const interrupted = new Http2Stream(true, createHpackDecoder);
    interrupted.push(Uint8Array.from([...PREFACE, ...frameHeader(1, 1, 0, 1), 0x82, ...SETTINGS, ...SETTINGS]));
    assert.match(interrupted.stopReason ?? '', /interrupted/);
    const huge = new Http2Stream(true, createHpackDecoder);
    huge.push(Uint8Array.from([...PREFACE, ...frameHeader(0xffffff, 1, 0x4, 1)]));
    assert.match(huge.stopReason ?? '', /larger than this decoder keeps/);
  });

  it('random bytes after the preface never throw, and stop or decode within bounds', () => {
    let seed = 13;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let run = 0; run < 300; run++) {
      const noise = Array.from({ length: 1 + Math.floor(random() * 400) }, () => Math.floor(random() * 256));
      // Often a plausible header first, so the block and CONTINUATION paths are reached too.
      const head = run % 2 === 0 ? frameHeader(noise.length, Math.floor(random() * 10), Math.floor(random() * 256), 1) : [];
      const bytes = Uint8Array.from([...PREFACE, ...SETTINGS, ...head, ...noise]);
      const frames = feed(true, bytes, () => 1 + Math.floor(random() * 50));
      for (const f of frames) {
        if (f.headers) for (const [k, v] of f.headers) assert.ok(typeof k === 'string' && typeof v === 'string');
      }
    }
  });

  it('keys that arrive after the packets (a live capture) give the same HTTP/2 frames and headers, on the same packets', () => {
    const file = readPcapFile(readFileSync(join(DIR, 'h1h2.pcap')));
    const keys = readFileSync(join(DIR, 'h1h2.keys'), 'utf8');
    const run = (late: boolean): string[] => {
      const d = new TlsDecryptor(nodeTlsCrypto, { hpack: createHpackDecoder });
      if (!late) d.addKeyLog(keys, true);
      file.records.forEach((r, i) => d.addFrame(i, r.data, r.linkType));
      if (late) d.addKeyLog(keys, true);
      d.finish();
      return file.records.map((_, i) => JSON.stringify((d.recordsOf(i) ?? []).flatMap((r) => r.http2 ?? [])));
    };
    const early = run(false);
    assert.ok(early.filter((f) => f !== '[]').length >= 12);
    assert.deepEqual(run(true), early);
  });
});
