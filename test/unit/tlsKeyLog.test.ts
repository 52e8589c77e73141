/** NSS key log parsing: what a user's SSLKEYLOGFILE gives, and how bad lines are reported. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex } from '../../src/core/hex';
import { KeyLog } from '../../src/core/tls/keyLog';

const RANDOM = 'ab'.repeat(32);
const MASTER = '11'.repeat(48);
const SECRET = '22'.repeat(32);

describe('KeyLog', () => {
  it('reads TLS 1.2 and TLS 1.3 lines by client random; comments, blank lines, CRLF and exporter lines are fine', () => {
    const log = new KeyLog();
    const changed = log.add(`# SSL/TLS secrets log file\r\nCLIENT_RANDOM ${RANDOM.toUpperCase()} ${MASTER}\r\n\nCLIENT_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} ${SECRET}\nEXPORTER_SECRET ${RANDOM} ${SECRET}\nSERVER_TRAFFIC_SECRET_0 ${RANDOM} ${'33'.repeat(48)}\n`);
    assert.deepEqual(changed, [RANDOM]);
    assert.deepEqual(log.problems, []);
    const secrets = log.secretsFor(fromHex(RANDOM));
    assert.deepEqual(secrets?.masterSecret, fromHex(MASTER));
    assert.deepEqual(secrets?.clientHandshake, fromHex(SECRET));
    assert.equal(secrets?.serverTraffic0?.length, 48);
    assert.equal(secrets?.clientTraffic0, undefined);
    assert.equal(log.secretsFor(new Uint8Array(32)), undefined);
  });

  it('reports malformed lines with their line number and keeps the good ones', () => {
    const log = new KeyLog();
    log.add([
      `CLIENT_RANDOM ${RANDOM} ${MASTER}`,
      'NONSENSE_LABEL aa bb',
      `CLIENT_RANDOM ${RANDOM.slice(2)} ${MASTER}`,
      `CLIENT_RANDOM ${RANDOM} ${MASTER.slice(2)}`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} zz${SECRET.slice(2)}`,
      `CLIENT_TRAFFIC_SECRET_0 ${RANDOM}`,
      `CLIENT_TRAFFIC_SECRET_0 ${RANDOM} ${'44'.repeat(65)}`,
      'x'.repeat(2000),
      '',
    ].join('\n'));
    assert.deepEqual(log.problems.map((p) => p.line), [2, 3, 4, 5, 6, 7, 8]);
    assert.match(log.problems[0]?.reason ?? '', /unknown label "NONSENSE_LABEL"/);
    assert.match(log.problems[1]?.reason ?? '', /client random must be 64 hex digits/);
    assert.match(log.problems[2]?.reason ?? '', /master secret must be 48 bytes/);
    assert.match(log.problems[4]?.reason ?? '', /expected 3 fields, got 2/);
    assert.deepEqual(log.secretsFor(fromHex(RANDOM))?.masterSecret, fromHex(MASTER));
    assert.equal(log.size, 1);
  });

  it('a line cut in the middle (a key log being written) waits for the rest', () => {
    const log = new KeyLog();
    const line = `CLIENT_RANDOM ${RANDOM} ${MASTER}\n`;
    assert.deepEqual(log.add(line.slice(0, 50)), []);
    assert.equal(log.size, 0);
    assert.deepEqual(log.add(line.slice(50)), [RANDOM]);
    assert.deepEqual(log.problems, []);
    // At the end of a file, a last line without newline counts.
    const other = new KeyLog();
    assert.deepEqual(other.add(line.trim(), true), [RANDOM]);
  });
});
