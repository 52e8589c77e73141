/**
 * Real TLS sessions (OpenSSL s_server/s_client on 127.0.0.1, captured by tcpdump on lo) for
 * every supported version and cipher suite, decrypted with the client's key log; tshark on
 * the same pcap and key log is the oracle. Needs root, tcpdump, tshark and openssl; run
 * under the heavy-test lock.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decryptFiles } from '../support/tlsDecryptFile';
import { negotiated, recordTlsSession, TLS_CASES, tlsWorkdir, tsharkPlaintext, type RecordedSession } from '../support/tlsSessions';

describe('TLS decryption matches tshark on real OpenSSL sessions', () => {
  let work: { dir: string; body: Buffer };
  before(() => {
    work = tlsWorkdir(60_000);
  });
  after(() => rmSync(work.dir, { recursive: true, force: true }));

  for (const tlsCase of TLS_CASES) {
    it(`${tlsCase.name}: same plaintext as tshark, the whole page, nothing left encrypted`, async () => {
      const session: RecordedSession = await recordTlsSession(work.dir, tlsCase, work.body);
      const hello = negotiated(session.pcap, session.port);
      assert.equal(hello.suite, tlsCase.suite, 'the session uses the suite under test');
      if (/cbc/.test(tlsCase.name)) assert.equal(hello.extensions.includes(22), !tlsCase.noEtm, 'encrypt-then-MAC as intended');
      const ours = decryptFiles(session.pcap, session.keyLog);
      const oracle = tsharkPlaintext(session.pcap, session.keyLog, session.port);
      assert.equal(ours.client.toString('latin1'), 'GET /page.txt HTTP/1.0\r\n\r\n');
      assert.ok(oracle.server.length > work.body.length, `tshark decrypted ${oracle.server.length} bytes`);
      assert.ok(ours.client.equals(oracle.client), 'client data differs from tshark');
      assert.ok(ours.server.equals(oracle.server), `server data differs from tshark (${ours.server.length} vs ${oracle.server.length} bytes)`);
      assert.ok(ours.server.subarray(ours.server.length - work.body.length).equals(work.body), 'the served file, byte for byte');
      const stuck = ours.records.filter((r) => r.status === 'encrypted');
      assert.deepEqual(stuck.map((r) => r.reason), []);
    });
  }

  it('without the key log: every protected record stays encrypted, with the reason', async () => {
    const session = await recordTlsSession(work.dir, TLS_CASES[0]!, work.body);
    const ours = decryptFiles(session.pcap, undefined);
    assert.equal(ours.client.length + ours.server.length, 0);
    const encrypted = ours.records.filter((r) => r.status === 'encrypted');
    assert.ok(encrypted.length >= 5);
    for (const r of encrypted) assert.match(r.reason ?? '', /^no (CLIENT|SERVER)_HANDSHAKE_TRAFFIC_SECRET line for this session in the key log/);
    // Keys arriving later (a live capture re-reading the key log): earlier records decrypt.
    const updated: number[] = [];
    ours.decryptor.addKeyLog(readFileSync(session.keyLog, 'utf8'), true);
    for (const r of encrypted) if (r.status === 'decrypted') updated.push(r.frameIndex);
    assert.equal(updated.length, encrypted.length);
    const oracle = tsharkPlaintext(session.pcap, session.keyLog, session.port);
    const late = ours.records.filter((r) => !r.fromClient && r.status === 'decrypted' && r.innerType === 23).map((r) => r.plaintext as Uint8Array);
    assert.ok(Buffer.concat(late).equals(oracle.server));
  });
});
