/**
 * The request file as the root helper reads it: every rule of the JSON, who
 * asked (PKEXEC_UID/SUDO_UID), and the directory held by descriptor, so that
 * a directory renamed or replaced after the check cannot redirect the
 * connection. Real files in a temporary directory of this process's user.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { parseRequestText, readRequestFile, requesterUid } from '../../src/helper/requestFile';

const me = process.getuid?.() ?? 0;
const id = 'c'.repeat(64);
const target = { id, name: 'web', pid: 4242, running: true, networkMode: 'bridge', networks: [{ name: 'bridge', ipv4: '172.17.0.2', mac: '02:42:ac:11:00:02' }] };
type SocketStat = (name: string) => { isSocket(): boolean; uid: number } | undefined;
const socketStat = (uid = me, socket = true): SocketStat => () => ({ isSocket: () => socket, uid });
const body = (dir: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: 1,
  token: randomBytes(32).toString('hex'),
  socketPath: join(dir, 'capture.sock'),
  target,
  request: { container: 'web', direction: 'both', mode: { kind: 'namespace' } },
  verbose: true,
  ...over,
});

function refused(fn: () => unknown, why: RegExp): void {
  assert.throws(fn, (e: unknown) => isCaptureError(e) && e.code === 'invalid-request' && why.test(e.message), String(why));
}

describe('request file: the JSON, field by field', () => {
  const dir = '/tmp/dnc-x';
  const parse = (over: Record<string, unknown> = {}, stat: SocketStat = socketStat()) => parseRequestText(JSON.stringify(body(dir, over)), dir, stat, me);

  it('a good request: every field kept, strings bounded, the request re-validated', () => {
    const file = parse({ target: { ...target, name: 'n'.repeat(300), networkMode: 'm'.repeat(300), networks: [{ name: 'bridge', mac: 'x'.repeat(200) }, null] } });
    assert.equal(file.version, 1);
    assert.equal(file.target.name.length, 256);
    assert.equal(file.target.networkMode.length, 256);
    assert.deepEqual(file.target.networks, [{ name: 'bridge', ipv4: undefined, ipv6: undefined, mac: undefined }, { name: '', ipv4: undefined, ipv6: undefined, mac: undefined }]);
    assert.equal(file.target.running, true);
    assert.equal(file.verbose, true);
    assert.equal(parse({ verbose: 'yes' }).verbose, false);
  });

  it('malformed text and shapes', () => {
    refused(() => parseRequestText('{"version": 1, "token": $(id)}', dir, socketStat(), me), /not valid JSON/);
    refused(() => parseRequestText('[1]', dir, socketStat(), me), /not a JSON object/);
    refused(() => parseRequestText('null', dir, socketStat(), me), /not a JSON object/);
    refused(() => parse({ version: 2 }), /unsupported request version/);
    for (const token of ['abc', 'A'.repeat(64), `${'a'.repeat(60)}$(id)`, 42, undefined]) refused(() => parse({ token }), /token is malformed/);
  });

  it('the socket: exactly beside the request, a socket, owned by the requester', () => {
    refused(() => parse({ socketPath: '/tmp/other/capture.sock' }), /sit beside/);
    refused(() => parse({ socketPath: `${dir}/../dnc-x/capture.sock` }), /sit beside/);
    refused(() => parse({}, () => undefined), /missing or is not a socket/);
    refused(() => parse({}, socketStat(me, false)), /missing or is not a socket/);
    refused(() => parse({}, socketStat(me + 1)), /not owned by the requesting user/);
  });

  it('the target: a full container id, a PID above 1, a networks list of bounded size', () => {
    refused(() => parse({ target: undefined }), /target container is missing/);
    refused(() => parse({ target: { ...target, name: 5 } }), /target container is missing/);
    assert.throws(() => parse({ target: { ...target, id: id.slice(0, 12) } }), /not a container id/);
    assert.throws(() => parse({ target: { ...target, id: `${id.slice(0, 63)};` } }), /not a container id/);
    for (const pid of [1, 0, -5, 1.5, '4242']) refused(() => parse({ target: { ...target, pid } }), /PID is not valid/);
    refused(() => parse({ target: { ...target, networks: 'bridge' } }), /networks are missing/);
    refused(() => parse({ target: { ...target, networks: Array.from({ length: 65 }, () => ({ name: 'n' })) } }), /too many networks/);
  });

  it('a target list: bounded, the target first, Docker names, no container twice, no bridge mode', () => {
    const other = { ...target, id: 'd'.repeat(64), name: 'db', pid: 4343 };
    assert.deepEqual(parse({ targets: [target, other] }).targets?.map((t) => t.name), ['web', 'db']);
    assert.equal(parse({}).targets, undefined);
    const many = Array.from({ length: 16 }, (_, k) => ({ ...target, id: k.toString(16).padStart(64, 'e'), name: `c${k}` }));
    assert.equal(parse({ targets: [target, ...many.slice(0, 15)] }).targets?.length, 16);
    refused(() => parse({ targets: [target, ...many] }), /more than 16 containers/);
    refused(() => parse({ targets: [] }), /target list is empty/);
    refused(() => parse({ targets: [other, target] }), /must start with the target/);
    refused(() => parse({ targets: [target, { ...other, id }] }), /listed twice/);
    refused(() => parse({ targets: [target, { ...other, name: 'web' }] }), /listed twice/);
    refused(() => parse({ targets: [target, { ...other, name: 'db/eth0' }] }), /not a container name/);
    refused(() => parse({ targets: [target, { ...other, pid: 0 }] }), /PID is not valid/);
    refused(() => parse({ targets: [target, other], request: { container: 'web', direction: 'both', mode: { kind: 'bridge', bridge: 'docker0' } } }), /bridge capture takes one container/);
  });

  it('fuzzed target lists: accepted only when well-formed, otherwise refused as invalid-request, never another error', () => {
    let seed = 12345;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const values = (): unknown[] => [null, 0, -1, 1.5, 'x', '', [], {}, true, 'web/eth0', 'a'.repeat(300), { ...target }, id, 4242];
    const mutate = (t: Record<string, unknown>): Record<string, unknown> => {
      const keys = ['id', 'name', 'pid', 'networks', 'networkMode'];
      const copy: Record<string, unknown> = { ...t };
      for (let k = random(3); k > 0; k--) copy[keys[random(keys.length)] as string] = values()[random(values().length)];
      return copy;
    };
    let accepted = 0;
    for (let round = 0; round < 500; round++) {
      const length = random(20);
      const list: unknown[] = Array.from({ length }, (_, k) => (k === 0 && random(2) === 0 ? target : mutate({ ...target, id: k.toString(16).padStart(64, 'a'), name: `c${k}` })));
      try {
        const file = parse({ targets: random(10) === 0 ? values()[random(values().length)] : list });
        accepted++;
        assert.ok(file.targets && file.targets.length >= 1 && file.targets.length <= 16 && file.targets[0]?.id === id);
        for (const t of file.targets) assert.match(t.name, /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/);
      } catch (e) {
        assert.ok(isCaptureError(e) && e.code === 'invalid-request', String(e));
      }
    }
    assert.ok(accepted > 0, 'some lists were well-formed (the fuzz reached the accepting path)');
  });

  it('the request inside is validated like any other (invalid-filter keeps its own code)', () => {
    assert.throws(() => parse({ request: { container: 'web', direction: 'up', mode: { kind: 'namespace' } } }), /direction must be/);
    assert.throws(() => parse({ request: { container: 'web', direction: 'both', mode: { kind: 'namespace' }, filter: '-w x' } }), (e: unknown) => isCaptureError(e) && e.code === 'invalid-filter');
  });

  it('who asked: PKEXEC_UID, else SUDO_UID, else root itself; garbage is refused', () => {
    assert.equal(requesterUid({ PKEXEC_UID: '1000', SUDO_UID: '7' }), 1000);
    assert.equal(requesterUid({ SUDO_UID: '7' }), 7);
    assert.equal(requesterUid({}), 0);
    for (const bad of ['-1', 'root', '1.5', '']) refused(() => requesterUid({ PKEXEC_UID: bad }), /cannot tell which user/);
  });
});

describe('request file: the directory, held by descriptor', () => {
  const roots: string[] = [];
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  async function channel(): Promise<{ root: string; dir: string; request: string }> {
    const root = mkdtempSync(join(tmpdir(), 'dnc-unit-req-'));
    roots.push(root);
    const dir = join(root, 'chan');
    mkdirSync(dir, { mode: 0o700 });
    const server = createServer((s) => s.end('real'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(join(dir, 'capture.sock'), r));
    const request = join(dir, 'request.json');
    writeFileSync(request, JSON.stringify(body(dir)), { mode: 0o600 });
    return { root, dir, request };
  }

  it('reads, deletes the token file, and connects through the held directory even after the name was swapped', async () => {
    const c = await channel();
    const opened = readRequestFile(c.request, me);
    try {
      assert.ok(!existsSync(c.request), 'the token file is deleted once read');
      assert.match(opened.socketViaDescriptor, /^\/proc\/self\/fd\/\d+\/capture\.sock$/);
      // Someone renames the checked directory away and puts their own in its place.
      renameSync(c.dir, join(c.root, 'moved'));
      mkdirSync(c.dir, { mode: 0o700 });
      const decoy = createServer((s) => s.end('decoy'));
      servers.push(decoy);
      await new Promise<void>((r) => decoy.listen(join(c.dir, 'capture.sock'), r));
      const { createConnection } = await import('node:net');
      const reply = await new Promise<string>((resolve, reject) => {
        let text = '';
        createConnection(opened.socketViaDescriptor).on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
      });
      assert.equal(reply, 'real', 'the connection reached the directory that was checked');
    } finally {
      opened.close();
    }
  });

  it('refuses a symlinked directory, a directory others can enter, one owned by someone else, a symlinked file, a wrong name', async () => {
    const c = await channel();
    const link = join(c.root, 'link');
    symlinkSync(c.dir, link);
    refused(() => readRequestFile(join(link, 'request.json'), me), /not a plain directory/);
    chmodSync(c.dir, 0o755);
    refused(() => readRequestFile(c.request, me), /directory is accessible to other users/);
    chmodSync(c.dir, 0o700);
    refused(() => readRequestFile(c.request, me + 1), /directory is owned by uid/);
    const d = await channel();
    renameSync(d.request, join(d.dir, 'real.json'));
    symlinkSync(join(d.dir, 'real.json'), d.request);
    refused(() => readRequestFile(d.request, me), /cannot open the request file \(ELOOP\)/);
    refused(() => readRequestFile('request.json', me), /must be absolute/);
    refused(() => readRequestFile(join(d.dir, 'other.json'), me), /must be named request.json/);
    chmodSync(join(d.dir, 'real.json'), 0o600);
    assert.ok(existsSync(join(d.dir, 'real.json')), 'a refused request is left where it was');
  });
});
