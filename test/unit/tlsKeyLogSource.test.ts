/** Where key logs come from: the --tls-keylog value, Docker's tar answer, and a file that grows during a capture. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { KeyLogFollower } from '../../src/client/tls/keyLogFollower';
import { openKeyLogSource, parseKeyLogSpec } from '../../src/client/tls/keyLogSource';
import { firstFileInTar } from '../../src/client/tls/tarFile';
import { fromHex } from '../../src/core/hex';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';

describe('--tls-keylog value', () => {
  it('a path, or container:NAME:/absolute/path', () => {
    assert.deepEqual(parseKeyLogSpec('keys.log'), { kind: 'file', path: 'keys.log' });
    assert.deepEqual(parseKeyLogSpec('container:api-1:/tmp/keys.log'), { kind: 'container', container: 'api-1', path: '/tmp/keys.log' });
    assert.deepEqual(parseKeyLogSpec('container:api:/a:b'), { kind: 'container', container: 'api', path: '/a:b' });
    for (const bad of ['', 'container:', 'container:api', 'container::/x', 'container:api:x', 'container:-x:/x', 'container:a b:/x']) {
      assert.throws(() => parseKeyLogSpec(bad), /--tls-keylog/);
    }
  });
});

describe('firstFileInTar', () => {
  it('the file of an archive as Docker returns it; undefined for a cut or empty archive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnc-tar-'));
    try {
      writeFileSync(join(dir, 'keys.log'), 'CLIENT_RANDOM x y\n'.repeat(100));
      const archive = execFileSync('tar', ['-C', dir, '-c', 'keys.log']);
      assert.equal(Buffer.from(firstFileInTar(archive) ?? []).toString(), 'CLIENT_RANDOM x y\n'.repeat(100));
      assert.equal(firstFileInTar(archive.subarray(0, 700)), undefined);
      assert.equal(firstFileInTar(new Uint8Array(1024)), undefined);
      assert.equal(firstFileInTar(new Uint8Array(10)), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('KeyLogFollower on a file', () => {
  it('feeds what was appended since the last read; bad lines become warnings with their line number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnc-keylog-'));
    const path = join(dir, 'keys.log');
    try {
      const random = 'cd'.repeat(32);
      writeFileSync(path, `# keys\nCLIENT_RANDOM ${random} `);
      const decryptor = new TlsDecryptor(nodeTlsCrypto);
      const warnings: string[] = [];
      const follower = new KeyLogFollower(openKeyLogSource(parseKeyLogSpec(path)), decryptor, (m) => warnings.push(m));
      await follower.readNow();
      assert.equal(decryptor.keyLog.size, 0); // the line is not finished yet
      appendFileSync(path, `${'ee'.repeat(48)}\nBOGUS line\n`);
      await follower.readNow();
      assert.deepEqual(decryptor.keyLog.secretsFor(fromHex(random))?.masterSecret, fromHex('ee'.repeat(48)));
      assert.deepEqual(warnings, [`${path} line 3: unknown label "BOGUS"`]);
      follower.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing file is a one-line error when opened', () => {
    assert.throws(() => openKeyLogSource({ kind: 'file', path: '/nonexistent/keys.log' }), /^Error: cannot read the TLS key log \/nonexistent\/keys\.log: ENOENT$/);
  });
});
