/**
 * Hostile text through the CLI (dist's code, built privately): container
 * names, filters, bridges, file paths, endpoints and numbers carrying shell
 * syntax, option look-alikes and very long strings. For each: no shell ever
 * ran it (the canary file never appears) and no tcpdump/nsenter was started
 * with anything but our own fixed options; a filter reaches tcpdump only as
 * the single argument after `--`.
 */
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOCKER_HOST, ensureDaemon, removeContainers, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { assertOurTcpdumpArgv, canary, execRecorder, OPTION_WORDS, privateBuild, run, type Canary, type ExecRecorder, type PrivateBuild, type RunResult } from './securityFixture';

async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const k = next++;
        results[k] = await work(items[k] as T);
      }
    }),
  );
  return results;
}

describe('CLI: hostile arguments never reach a shell or become tcpdump options', { timeout: 240_000 }, () => {
  let build: PrivateBuild;
  let recorder: ExecRecorder;
  let target: TestContainer;
  let bait: Canary;
  let dir: string;
  const env = { ...process.env, DOCKER_HOST };
  const cli = (args: string[]): Promise<RunResult> => run(recorder.wrap([process.execPath, build.cli, ...args]), env);
  const long = 'A'.repeat(100_000);

  before(async () => {
    ensureDaemon();
    build = await privateBuild();
    recorder = execRecorder();
    bait = canary();
    dir = mkdtempSync(join(tmpdir(), 'dnc-sec-cli-'));
    target = runContainer(uniqueName('dnc-sec-target'), [], ['sleep', '600']);
  });
  after(() => {
    removeContainers(target.name);
    build?.dispose();
    recorder?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('container names: no such container, nothing started', async () => {
    recorder.reset();
    const names = [...bait.payloads, ...OPTION_WORDS, long, '../version', 'x/../../info', 'a?all=1', `${target.name}/json?`];
    const results = await inParallel(names, 3, (name) => cli(['--', name]));
    results.forEach((r, k) => {
      const name = names[k] as string;
      assert.equal(r.code, 1, `${JSON.stringify(name.slice(0, 60))}: ${r.stderr}`);
      assert.match(r.stderr, /no such container/i, `${JSON.stringify(name.slice(0, 60))}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    });
    assert.deepEqual(recorder.execs(), [], 'no tcpdump or nsenter was executed');
    assert.equal(bait.fired(), false, 'a shell ran a payload');
  });

  it('filters: refused, or handed to tcpdump as one argument after --', async () => {
    recorder.reset();
    const filters = [...bait.payloads, ...OPTION_WORDS, long, 'tcp) or (udp', '(((', `tcp port 80 ${'and tcp '.repeat(600)}`];
    const results = await inParallel(filters, 2, (f) => cli(['-f', f, '--count', '1', '--duration', '1', target.name]));
    const reachedTcpdump = new Set<string>();
    results.forEach((r, k) => {
      const f = filters[k] as string;
      assert.notEqual(r.code, 0, `${JSON.stringify(f.slice(0, 60))} should not capture: ${r.stderr}`);
      assert.match(r.stderr, /capture filter|tcpdump failed/, `${JSON.stringify(f.slice(0, 60))}: ${r.stderr}`);
      if (/tcpdump failed/.test(r.stderr)) reachedTcpdump.add(f.trim());
    });
    const execs = recorder.execs();
    for (const argv of execs) assertOurTcpdumpArgv(argv, reachedTcpdump);
    // Those that tcpdump judged did reach it, literally; the option-like ones never did.
    for (const f of reachedTcpdump) assert.ok(execs.some((argv) => argv[argv.length - 1] === f), `${JSON.stringify(f)} not seen in any argv`);
    for (const word of OPTION_WORDS) assert.ok(!reachedTcpdump.has(word.trim()), `${word} reached tcpdump`);
    assert.equal(bait.fired(), false, 'a shell ran a payload');
  });

  it('bridges, directions, numbers and endpoints: refused before anything starts', async () => {
    recorder.reset();
    const cases: string[][] = [];
    for (const p of [...bait.payloads, ...OPTION_WORDS, long]) cases.push(['-b', p, target.name]);
    // Parsed as whole numbers or a direction: a few hostile words suffice.
    for (const p of [bait.payloads[0] as string, '-1', long]) cases.push(['-c', p, target.name], ['--count', p, target.name], ['-s', p, target.name]);
    // Endpoints only as unix socket paths: a host name would be looked up on the network.
    for (const p of bait.payloads) cases.push(['-d', `unix:///tmp/${p}`, target.name]);
    const results = await inParallel(cases, 3, cli);
    results.forEach((r, k) => {
      const args = cases[k] as string[];
      assert.notEqual(r.code, 0, `${JSON.stringify(args.map((a) => a.slice(0, 40)))}: ${r.stderr}`);
      assert.equal(r.stdout, '', JSON.stringify(args.map((a) => a.slice(0, 40))));
    });
    assert.deepEqual(recorder.execs(), [], 'no tcpdump or nsenter was executed');
    assert.equal(bait.fired(), false, 'a shell ran a payload');
  });

  it('file paths: -r and -w take them literally and never follow a planted symlink', async () => {
    recorder.reset();
    const results = await inParallel([...bait.payloads, long], 3, (p) => cli(['-r', p]));
    for (const r of results) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot read/);
    }
    // -w with shell syntax in the file name: the name is created as written (or fails), nothing runs.
    const literal = join(dir, '$(id);`id`;x');
    const w = await cli(['-w', literal, '--duration', '1', target.name]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(readFileSync(literal).readUInt32LE(0), 0xa1b2c3d4, 'a pcap file under exactly that name');
    // A symlink planted where root will write: refused, the file it points to untouched.
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    const link = join(dir, 'capture.pcap');
    symlinkSync(victim, link);
    const s = await cli(['-w', link, '--duration', '1', target.name]);
    assert.equal(s.code, 1, s.stderr);
    assert.match(s.stderr, /ELOOP|symbolic link/i);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.ok(lstatSync(link).isSymbolicLink());
    for (const argv of recorder.execs()) assertOurTcpdumpArgv(argv, new Set());
    assert.equal(bait.fired(), false, 'a shell ran a payload');
  });
});
