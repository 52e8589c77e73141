/**
 * Makes the HTTPS capture the unit tests read (run as root under the heavy-test lock):
 *   node --import tsx test/support/tlsFixtures/makeHttp2Fixture.ts
 * Node's http2 client, curl --http2 and Node's https client (HTTP/1.1) against a Node
 * http2 server on 127.0.0.1, with the key log: test-only keys of throwaway sessions.
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordHttp2Sessions } from '../http2Sessions';
import { tlsWorkdir } from '../tlsSessions';

async function main(): Promise<void> {
  const work = tlsWorkdir(10);
  try {
    const session = await recordHttp2Sessions(work.dir, readFileSync(join(__dirname, 'page.txt')));
    copyFileSync(session.pcap, join(__dirname, 'h1h2.pcap'));
    copyFileSync(session.keyLog, join(__dirname, 'h1h2.keys'));
  } finally {
    rmSync(work.dir, { recursive: true, force: true });
  }
}

void main();
