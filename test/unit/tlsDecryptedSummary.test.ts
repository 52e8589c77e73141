/** The Info column of decrypted frames: HTTP lines from inside TLS, or what was decrypted, or why not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { summarize } from '../../src/core/decode/index';
import { withDecryptedInfo } from '../../src/core/tls/decryptedSummary';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import { tlsFixture } from '../support/tlsFrames';

function infos(keyLog: string | undefined): { protocol: string; info: string }[] {
  const fx = tlsFixture('tls13-aes128gcm');
  const d = new TlsDecryptor(nodeTlsCrypto);
  if (keyLog) d.addKeyLog(keyLog, true);
  return fx.frames.map((f, i) => {
    d.addFrame(i, f.data, f.linkType);
    const s = withDecryptedInfo(summarize(f.data, f.linkType), d.recordsOf(i));
    return { protocol: s.protocol, info: s.info };
  });
}

describe('withDecryptedInfo', () => {
  it('the request and status lines of HTTP inside TLS, as protocol HTTP', () => {
    const rows = infos(tlsFixture('tls13-aes128gcm').keyLog);
    assert.ok(rows.some((r) => r.protocol === 'HTTP' && r.info === 'GET /page.txt HTTP/1.0 [decrypted TLS]'));
    assert.ok(rows.some((r) => r.protocol === 'HTTP' && r.info === 'HTTP/1.0 200 ok [decrypted TLS]'));
    assert.ok(rows.some((r) => r.protocol === 'TLS' && /^Handshake \(\d+ bytes\)/.test(r.info)));
  });

  it('without keys: the usual TLS Info, with why it was not decrypted', () => {
    const rows = infos(undefined);
    assert.ok(rows.some((r) => r.protocol === 'TLS' && /^Application Data.* \[not decrypted: no (CLIENT|SERVER)_HANDSHAKE_TRAFFIC_SECRET line for this session in the key log \(client random [0-9a-f]{16}…\)\]$/.test(r.info)), JSON.stringify(rows.map((r) => r.info)));
    assert.ok(rows.some((r) => /^Client Hello/.test(r.info) && !r.info.includes('[')));
  });
});
