/**
 * Decryption of real captured sessions (committed fixtures): the fetched page comes out for
 * every suite, records cut across segments, reordered and retransmitted still do, and wrong,
 * missing or partial keys leave records encrypted with the reason, never a wrong plaintext.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import type { TlsRecord } from '../../src/core/tls/tlsRecord';
import { FIXTURE_NAMES, resegment, tlsFixture, type Frame } from '../support/tlsFrames';
import { applicationData } from '../support/tlsDecryptFile';

function decrypt(frames: readonly Frame[], keyLog: string | undefined): { d: TlsDecryptor; records: TlsRecord[] } {
  const d = new TlsDecryptor(nodeTlsCrypto);
  if (keyLog !== undefined) d.addKeyLog(keyLog, true);
  frames.forEach((f, i) => d.addFrame(i, f.data, f.linkType));
  d.finish();
  const records = frames.flatMap((_, i) => [...(d.recordsOf(i) ?? [])]);
  return { d, records };
}

const REQUEST = 'GET /page.txt HTTP/1.0\r\n\r\n';

function assertPage(records: readonly TlsRecord[], page: Buffer): void {
  const { client, server } = applicationData(records);
  assert.equal(client.toString(), REQUEST);
  assert.match(server.toString(), /^HTTP\/1\.0 200 ok\r\n/);
  assert.ok(server.subarray(server.length - page.length).equals(page));
}

/** Replaces one hex digit of every secret: the keys of another session. */
function corrupt(keyLog: string): string {
  return keyLog.replace(/^(\S+ [0-9a-f]{64} )([0-9a-f])/gm, (_, head: string, digit: string) => head + (digit === '0' ? '1' : '0'));
}

describe('TLS decryption of captured sessions', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: the page, in one piece, from records cut into 100-byte segments too`, () => {
      const fx = tlsFixture(name);
      assertPage(decrypt(fx.frames, fx.keyLog).records, fx.page);
      const cut = decrypt(resegment(fx.frames, 100), fx.keyLog);
      assertPage(cut.records, fx.page);
      assert.deepEqual(cut.records.filter((r) => r.status === 'encrypted'), []);
    });

    it(`${name}: wrong keys leave every protected record encrypted, with the reason`, () => {
      const fx = tlsFixture(name);
      const { records } = decrypt(fx.frames, corrupt(fx.keyLog));
      assert.equal(records.filter((r) => r.status === 'decrypted').length, 0);
      const encrypted = records.filter((r) => r.status === 'encrypted');
      assert.ok(encrypted.length > 3);
      for (const r of encrypted) {
        assert.equal(r.plaintext, undefined);
        assert.match(r.reason ?? '', /wrong key for this session/);
      }
    });
  }

  it('segments reordered, duplicated and overlapping: the same page', () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const small = resegment(fx.frames, 64);
    const shuffled: Frame[] = [];
    for (let i = 0; i < small.length; i += 3) {
      const group = small.slice(i, i + 3).reverse(); // each three segments arrive backwards
      shuffled.push(...group, ...(i % 2 === 0 && group[0] ? [group[0]] : [])); // and some twice
    }
    // Overlapping retransmissions: bigger pieces over the same bytes, after the fact.
    shuffled.push(...resegment(fx.frames, 150).filter((_, i) => i % 4 === 0));
    assertPage(decrypt(shuffled, fx.keyLog).records, fx.page);
  });

  it('TLS 1.3 with only the application traffic secrets: application data decrypts, the handshake says which secret is missing', () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const onlyTraffic = fx.keyLog.split('\n').filter((l) => l.includes('TRAFFIC_SECRET_0')).join('\n');
    const { records } = decrypt(fx.frames, onlyTraffic);
    assertPage(records, fx.page);
    const handshake = records.filter((r) => r.status === 'encrypted');
    assert.ok(handshake.length >= 2);
    for (const r of handshake) assert.match(r.reason ?? '', /^no (CLIENT|SERVER)_HANDSHAKE_TRAFFIC_SECRET line for this session/);
  });

  it('TLS 1.3 with only the handshake secrets: the handshake decrypts, application data waits for its secret, then decrypts', () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const onlyHandshake = fx.keyLog.split('\n').filter((l) => l.includes('HANDSHAKE')).join('\n') + '\n';
    const updated: TlsRecord[] = [];
    const d = new TlsDecryptor(nodeTlsCrypto, { onUpdate: (r) => updated.push(r) });
    d.addKeyLog(onlyHandshake);
    fx.frames.forEach((f, i) => d.addFrame(i, f.data, f.linkType));
    const records = fx.frames.flatMap((_, i) => [...(d.recordsOf(i) ?? [])]);
    assert.ok(records.some((r) => r.status === 'decrypted' && r.innerType === 22));
    const waiting = records.filter((r) => r.status === 'encrypted');
    assert.ok(waiting.length >= 2);
    for (const r of waiting) assert.match(r.reason ?? '', /^no (CLIENT|SERVER)_TRAFFIC_SECRET_0 line for this session/);
    d.addKeyLog(fx.keyLog.split('\n').filter((l) => l.includes('TRAFFIC_SECRET_0')).join('\n') + '\n');
    assert.equal(updated.length, waiting.length);
    assertPage(records, fx.page);
  });

  it('a segment missing from the capture: what came before decrypts, nothing after is guessed', () => {
    const fx = tlsFixture('tls12-ecdhe-chacha20');
    const small = resegment(fx.frames, 200);
    const full = decrypt(small, fx.keyLog).records;
    const serverData = full.filter((r) => !r.fromClient && r.innerType === 23);
    const dropAt = small.findIndex((_, i) => i === serverData[0]!.frameIndex) - 1; // inside the first response record
    const { records } = decrypt(small.filter((_, i) => i !== dropAt), fx.keyLog);
    assert.equal(applicationData(records).client.toString(), REQUEST);
    // No record of the server's data decrypted after the gap, and none to a different text.
    const truth = new Set(full.filter((r) => r.plaintext).map((r) => Buffer.from(r.plaintext as Uint8Array).toString('hex')));
    for (const r of records) if (r.plaintext) assert.ok(truth.has(Buffer.from(r.plaintext).toString('hex')));
    assert.equal(records.filter((r) => !r.fromClient && r.innerType === 23 && r.status === 'decrypted').length, 0);
  });

  it('no key log at all: TLS records shown as encrypted with the reason; handshake records in the clear', () => {
    const fx = tlsFixture('tls12-ecdhe-aes128cbc-sha1');
    const { records } = decrypt(fx.frames, undefined);
    assert.ok(records.some((r) => r.status === 'clear' && r.type === 22));
    const encrypted = records.filter((r) => r.status === 'encrypted');
    assert.ok(encrypted.length >= 4);
    for (const r of encrypted) assert.match(r.reason ?? '', /^no CLIENT_RANDOM line for this session in the key log \(client random [0-9a-f]{16}…\)$/);
  });
});
