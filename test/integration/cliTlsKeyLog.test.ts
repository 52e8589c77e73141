/**
 * The CLI's --tls-keylog on real parts (root, the private dockerd, tcpdump, openssl, tshark;
 * run under the heavy-test lock):
 * - -r on real OpenSSL sessions: the decrypted_payload of the records is what tshark
 *   decrypts from the same pcap and key log;
 * - a live capture of a container whose openssl s_client writes its key log inside the
 *   container (container:NAME:/tmp/keys.log), talking TLS to another test container: the key
 *   log is read through the Docker API by a process of the user who ran sudo (a throw-away
 *   user in the socket's group), followed while capturing, and the session's records come
 *   out decrypted although its packets were printed before its keys were read;
 * - a key log that user may not read is refused before anything is captured, with the reason.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, sleep, startCli } from '../support/cliRunner';
import { daemonConnectionsOf, processTree } from '../support/daemonConnections';
import { docker, DOCKER_DIR, ensureDaemon, removeContainers, REPO, uniqueName } from '../support/dockerFixture';
import { identityOf } from '../support/processTree';
import { createTestUser, deleteTestUser, type TestUser } from '../support/endpointTestUser';
import { recordTlsSession, TLS_CASES, tlsWorkdir, tsharkPlaintext } from '../support/tlsSessions';

type Row = { payload: string; info: string; protocol: string; decrypted_payload?: string; type?: string; frame?: number };
const rows = (ndjson: string): Row[] => ndjson.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Row);
const plaintext = (r: Row): Buffer => Buffer.from(r.decrypted_payload ?? '', 'hex');

describe('CLI --tls-keylog', () => {
  let work: { dir: string; body: Buffer };
  let user: TestUser;
  const server = uniqueName('dnc-h8tls-srv');
  const client = uniqueName('dnc-h8tls-cli');
  before(() => {
    ensureDaemon();
    execFileSync('bash', [join(REPO, 'test', 'support', 'openssl-image.sh')], { stdio: 'inherit', timeout: 120_000 });
    work = tlsWorkdir(20_000);
    chmodSync(work.dir, 0o755);
    for (const f of ['c.pem', 'k.pem', 'page.txt']) chmodSync(join(work.dir, f), 0o644);
    user = createTestUser(uniqueName('dnc-h8tls').slice(0, 20));
  });
  after(() => {
    removeContainers(server, client);
    if (user) deleteTestUser(user);
    rmSync(work.dir, { recursive: true, force: true });
  });

  for (const tlsCase of [TLS_CASES[0]!, TLS_CASES[3]!]) {
    it(`-r ${tlsCase.name}: decrypted_payload is tshark's plaintext, both ways`, async () => {
      const session = await recordTlsSession(work.dir, tlsCase, work.body);
      const result = await runCli(['-r', session.pcap, '--ndjson', '--tls-keylog', session.keyLog]);
      assert.equal(result.code, 0, result.stderr);
      const records = rows(result.stdout).filter((r) => r.decrypted_payload);
      const oracle = tsharkPlaintext(session.pcap, session.keyLog, session.port);
      const request = records.find((r) => plaintext(r).toString('latin1').startsWith('GET '));
      assert.ok(request);
      assert.equal(request.info, 'GET /page.txt HTTP/1.0 [decrypted TLS]');
      const all = Buffer.concat(records.map(plaintext));
      assert.ok(all.equals(Buffer.concat([oracle.client, oracle.server])), `${all.length} bytes vs tshark's ${oracle.client.length + oracle.server.length}`);
    });
  }

  it('live: a key log inside the client container, read through the Docker API as the sudo user, decrypts the session', async () => {
    docker('run', '-d', '--name', server, '-v', `${work.dir}:/srv:ro`, '-w', '/srv', 'dnc-openssl:latest', 'openssl', 's_server', '-accept', '4433', '-cert', 'c.pem', '-key', 'k.pem', '-WWW');
    docker('run', '-d', '--name', client, 'dnc-openssl:latest', 'sleep', '300');
    const serverIp = docker('inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', server);
    docker('exec', client, 'sh', '-c', ': > /tmp/keys.log');
    const saved = join(work.dir, 'live.pcap');
    const cli = startCli(['--ndjson', '-w', saved, '--tls-keylog', `container:${client}:/tmp/keys.log`, client], { SUDO_UID: String(user.uid), SUDO_GID: String(user.gid) });
    try {
      await cli.listening;
      assert.match(cli.stderr(), /TLS key log container .*: read by a process of the invoking user's/);
      // The reader: the sudo user's, no_new_privs, no capabilities. Every other process of the
      // CLI's tree (root CLI turned nobody, printer, helper, tcpdumps) holds no Docker connection.
      const tree = processTree(cli.child.pid as number);
      const reader = tree.filter((p) => identityOf(p).name === 'dnc-cli-keylog');
      assert.equal(reader.length, 1, tree.map((p) => `${p} ${identityOf(p).name}`).join(', '));
      assert.deepEqual(identityOf(reader[0]!).uids, [user.uid, user.uid, user.uid, user.uid]);
      const status = readFileSync(`/proc/${reader[0]!}/status`, 'utf8');
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      assert.match(status, /^CapEff:\s+0+$/m);
      assert.match(status, /^CapBnd:\s+0+$/m);
      assert.deepEqual(daemonConnectionsOf(tree.filter((p) => p !== reader[0]), `${DOCKER_DIR}/docker.sock`), [], 'a process other than the reader connected to Docker');
      const fetched = docker('exec', client, 'sh', '-c', `printf 'GET /page.txt HTTP/1.0\\r\\n\\r\\n' | openssl s_client -quiet -ign_eof -connect ${serverIp}:4433 -keylogfile /tmp/keys.log 2>/dev/null`);
      assert.ok(fetched.includes(work.body.subarray(0, 100).toString()), 's_client got the page');
      // Bounded: the reader polls the key log every second.
      for (let i = 0; i < 40 && !rows(cli.stdout()).some((r) => plaintext(r).includes(work.body.subarray(-60))); i++) await sleep(250);
      assert.equal(await cli.interrupt(), 0, cli.stderr());
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
    const all = rows(cli.stdout());
    const decrypted = all.filter((r) => r.decrypted_payload);
    const request = decrypted.find((r) => plaintext(r).toString('latin1') === 'GET /page.txt HTTP/1.0\r\n\r\n');
    assert.ok(request, `the request, decrypted: ${cli.stderr()}`);
    const response = Buffer.concat(decrypted.filter((r) => r !== request).map(plaintext)).toString('latin1');
    assert.match(response, /^HTTP\/1\.0 200 ok\r\n/);
    assert.ok(response.endsWith(work.body.toString('latin1')), 'the served page, whole');
    // Printed before the keys were read: the record said why, and a late entry names its frame.
    if (request.type === 'tls_decrypted') assert.match(all[(request.frame ?? 0) - 1]?.info ?? '', /not decrypted: no /);
    const left = (): string => {
      try {
        return execFileSync('ps', ['-o', 'comm=', '-u', String(user.uid)], { encoding: 'utf8' }).trim();
      } catch {
        return ''; // ps exits 1 when nothing matches
      }
    };
    for (let i = 0; i < 20 && left() !== ''; i++) await sleep(100);
    assert.equal(left(), '', 'the reader ended with the CLI');

    // The -w file holds packets only (no key material); -r with the container's key log, read
    // by this process through the Docker API, decrypts the same request from it.
    assert.ok(!readFileSync(saved).includes(Buffer.from('CLIENT_HANDSHAKE_TRAFFIC_SECRET')), 'no key log in the pcap');
    const again = await runCli(['-r', saved, '--ndjson', '--tls-keylog', `container:${client}:/tmp/keys.log`]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(rows(again.stdout).some((r) => plaintext(r).toString('latin1') === 'GET /page.txt HTTP/1.0\r\n\r\n'), again.stderr);
  });

  it("a key log the sudo user may not read is refused before capturing, with the reason", async () => {
    const secret = join(mkdtempSync(join(tmpdir(), 'dnc-h8tls-')), 'root-only.keys');
    writeFileSync(secret, 'CLIENT_RANDOM 00 00\n', { mode: 0o600 });
    try {
      const result = await runCli(['--tls-keylog', secret, client], { SUDO_UID: String(user.uid), SUDO_GID: String(user.gid) });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`cannot read the TLS key log ${secret}: EACCES`));
      assert.doesNotMatch(result.stderr, /capturing on/);
    } finally {
      rmSync(join(secret, '..'), { recursive: true, force: true });
    }
  });
});
