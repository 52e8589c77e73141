/**
 * `docker-network-capture -r FILE` through the built CLI (dist/cli.js), as a
 * user runs it: the output of every mode is what the seed format defines for
 * the file's packets (the same bytes the CLI printed before it streamed), -j is
 * one valid JSON array, a cut file keeps what was read, and a reader that does
 * not keep up stops the reading instead of filling memory. No root, no Docker.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summarize } from '../../src/core/decode/index';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { formatSeedJsonArray, formatSeedText, toNdjsonLine, toSeedJsonRecord } from '../../src/core/seedFormat';
import { generatePcap } from '../../bench/lib/generatePcap';
import { CLI, runCli, sleep } from '../support/cliRunner';
import { oracleMissing } from '../unit/oracle';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const fixtures = readdirSync(FIXTURES).filter((n) => n.endsWith('.pcap'));

/** The three outputs as the seed format defines them, built in memory from the whole file (how the CLI made them before). */
function expectedOutputs(path: string): { text: string; ndjson: string; json: string } {
  const frames: CapturedFrame[] = readPcapFile(readFileSync(path)).records.map((r) => ({ ...r, interfaceName: 'file', direction: 'out' }));
  const summaries = frames.map((f) => summarize(f.data, f.linkType, f.originalLength));
  const records = frames.map((f, i) => toSeedJsonRecord(f, summaries[i]!));
  return {
    text: frames.map((f, i) => formatSeedText(f, summaries[i]!)).join(''),
    ndjson: records.map(toNdjsonLine).join(''),
    json: formatSeedJsonArray(records) + '\n',
  };
}

describe('-r FILE through the CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dnc-it-read-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of fixtures) {
    it(`${name}: text, --ndjson and -j are exactly the seed format's bytes`, async () => {
      const path = join(FIXTURES, name);
      const expected = expectedOutputs(path);
      const text = await runCli(['-r', path]);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout, expected.text);
      const ndjson = await runCli(['-r', path, '--ndjson']);
      assert.equal(ndjson.stdout, expected.ndjson);
      const json = await runCli(['-r', path, '-j']);
      assert.equal(json.stdout, expected.json);
      assert.ok(Array.isArray(JSON.parse(json.stdout)));
      assert.equal(json.stderr, '');
    });
  }

  it('-j on thousands of packets (many read chunks, many writes) is one valid JSON array, equal to the whole array printed at once', async () => {
    const file = generatePcap(join(dir, 'gen.pcap'), 12_000, 9);
    const r = await runCli(['-r', file.path, '-j'], {}, 120_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expectedOutputs(file.path).json);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 12_000);
  });

  it('a capture with a header and no packets gives [] with -j and nothing in text', async () => {
    const path = join(dir, 'empty.pcap');
    writeFileSync(path, readFileSync(join(FIXTURES, 'loopback-udp.pcap')).subarray(0, 24));
    assert.equal((await runCli(['-r', path, '-j'])).stdout, '[]\n');
    const text = await runCli(['-r', path]);
    assert.deepEqual([text.code, text.stdout, text.stderr], [0, '', '']);
  });

  it('a cut last record: every packet before it is printed (-j still a valid array) and one warning line says what was cut', async () => {
    const bytes = readFileSync(join(FIXTURES, 'loopback-http.pcap'));
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    const all = JSON.parse(expectedOutputs(join(FIXTURES, 'loopback-http.pcap')).json) as unknown[];
    const r = await runCli(['-r', path, '-j']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), all.slice(0, -1));
    assert.match(r.stderr, /^docker-network-capture: warning: .*cut\.pcap: truncated last record: \d+ of \d+ captured bytes\n$/);
  });

  it('a file that is not pcap: one error line, nothing on stdout, exit 1', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'just some notes, not a capture\n');
    const r = await runCli(['-r', path, '-j']);
    assert.deepEqual([r.code, r.stdout], [1, '']);
    assert.match(r.stderr, /^docker-network-capture: error: .*notes\.txt: not a pcap stream: unknown magic number 0x6a757374\n$/);
  });

  it('--count stops after N packets; with -w they are also written to a pcap that tcpdump reads back', { skip: oracleMissing('tcpdump') }, async () => {
    const out = join(dir, 'first3.pcap');
    const r = await runCli(['-r', join(FIXTURES, 'loopback-http.pcap'), '--count', '3', '-w', out, '--ndjson']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 3);
    const lines = execFileSync('tcpdump', ['-nn', '-r', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    assert.equal(lines.length, 3);
    assert.equal(statSync(out).mode & 0o777, 0o600);
  });

  it('while nobody reads stdout, the file is not read ahead (reading waits for the reader); then everything arrives', async () => {
    const file = generatePcap(join(dir, 'slow.pcap'), 40_000, 11);
    const child = spawn(process.execPath, [CLI, '-r', file.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Nothing reads child.stdout yet: the pipe fills, then the CLI's own stream buffer.
    const position = (): number | undefined => {
      try {
        for (const fd of readdirSync(`/proc/${child.pid}/fd`)) {
          if (readlinkSync(`/proc/${child.pid}/fd/${fd}`) === file.path) {
            return Number(/^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/fdinfo/${fd}`, 'utf8'))?.[1]);
          }
        }
      } catch {
        // the process or the descriptor is gone
      }
      return undefined;
    };
    // Wait until the reading position stops moving (bounded: 25 s at most).
    let last = -1;
    let still = 0;
    for (let i = 0; i < 125 && still < 5; i++) {
      await sleep(200);
      const p = position();
      still = p !== undefined && p === last ? still + 1 : 0;
      last = p ?? -1;
    }
    assert.ok(last > 0, 'the file is open and being read');
    assert.ok(last < file.bytes / 2, `read ${last} of ${file.bytes} bytes with nobody reading stdout`);
    let received = 0;
    child.stdout.on('data', (chunk: Buffer) => (received += chunk.length));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.equal(received, Buffer.byteLength(expectedOutputs(file.path).text));
  });
});
