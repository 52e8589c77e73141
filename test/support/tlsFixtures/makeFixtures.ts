/**
 * Makes the small TLS captures the unit tests read (run as root under the heavy-test lock):
 *   node --import tsx test/support/tlsFixtures/makeFixtures.ts
 * Each is one HTTPS fetch of a 3,000-byte page over 127.0.0.1 with its key log: test-only
 * keys of throwaway sessions.
 */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordTlsSession, TLS_CASES, tlsWorkdir } from '../tlsSessions';

const FIXTURES = ['tls13-aes128gcm', 'tls12-ecdhe-chacha20', 'tls12-ecdhe-aes128cbc-sha1', 'tls12-ecdhe-aes256cbc-sha384-etm'];

async function main(): Promise<void> {
  const work = tlsWorkdir(3000);
  try {
    for (const name of FIXTURES) {
      const tlsCase = TLS_CASES.find((c) => c.name === name);
      if (!tlsCase) throw new Error(`no case ${name}`);
      const session = await recordTlsSession(work.dir, tlsCase, work.body);
      copyFileSync(session.pcap, join(__dirname, `${name}.pcap`));
      copyFileSync(session.keyLog, join(__dirname, `${name}.keys`));
    }
    writeFileSync(join(__dirname, 'page.txt'), work.body);
  } finally {
    rmSync(work.dir, { recursive: true, force: true });
  }
}

void main();
