/**
 * `-r` reads its file as a stream (src/cli/pcapFileReader.ts): whatever the read
 * size, the records are the ones the whole file read at once gives, nanosecond
 * files included, and a cut last record is reported while everything before it
 * is kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readPcapFile, type PcapRecord } from '../../src/core/pcap/pcapReader';
import { openPcapFile, PcapFileOpenError } from '../../src/cli/pcapFileReader';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'dnc-unit-pcapfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const plain = (r: PcapRecord): object => ({ ...r, data: Buffer.from(r.data).toString('hex') });

async function readStreamed(path: string, chunkBytes: number): Promise<{ records: object[]; error: string | undefined; reads: number }> {
  const file = await openPcapFile(path, chunkBytes);
  const records: object[] = [];
  let reads = 0;
  for (let batch = await file.next(); batch !== undefined; batch = await file.next()) {
    reads++;
    // Copied out at once, as the CLI prints at once: a record must be whole when handed out.
    records.push(...batch.map(plain));
  }
  return { records, error: file.error?.message, reads };
}

describe('-r: the pcap file read as a stream', () => {
  for (const name of ['loopback-udp.pcap', 'loopback-udp-nanosecond.pcap', 'loopback-http.pcap', 'any-sll2.pcap']) {
    it(`${name}: reads of every size from 1 byte to the whole file give the whole-file records`, async () => {
      const path = join(FIXTURES, name);
      const bytes = readFileSync(path);
      const whole = readPcapFile(bytes);
      assert.ok(whole.records.length > 0 && whole.error === undefined);
      const expected = whole.records.map(plain);
      // Read size k puts a chunk boundary at every multiple of k: over all k, every offset is a boundary.
      for (let k = 1; k <= bytes.length + 1; k++) {
        const streamed = await readStreamed(path, k);
        assert.deepEqual(streamed.records, expected, `read size ${k}`);
        assert.equal(streamed.error, undefined, `read size ${k}`);
      }
    });
  }

  it('converts nanosecond timestamps exactly as the whole-file read does', async () => {
    const { records } = await readStreamed(join(FIXTURES, 'loopback-udp-nanosecond.pcap'), 7);
    const micro = await readStreamed(join(FIXTURES, 'loopback-udp.pcap'), 7);
    assert.equal(records.length, micro.records.length);
    for (const r of records as { tsUsec: number }[]) assert.ok(Number.isInteger(r.tsUsec) && r.tsUsec < 1_000_000);
  });

  it('every fixture streams to the same records as the whole-file read', async () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.pcap'))) {
      const path = join(FIXTURES, name);
      const whole = readPcapFile(readFileSync(path));
      const streamed = await readStreamed(path, 100);
      assert.deepEqual(streamed.records, whole.records.map(plain), name);
      assert.equal(streamed.error, whole.error?.message, name);
    }
  });

  it('a truncated last record is reported with a clear message; every record before it is kept', async () => {
    const bytes = readFileSync(join(FIXTURES, 'loopback-http.pcap'));
    const whole = readPcapFile(bytes);
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    for (const k of [1, 13, 64, 4096]) {
      const streamed = await readStreamed(path, k);
      assert.deepEqual(streamed.records, whole.records.slice(0, -1).map(plain), `read size ${k}`);
      assert.match(streamed.error ?? '', /^truncated last record: \d+ of \d+ captured bytes$/);
    }
  });

  it('a file that is not pcap ends at once with the reason, and no records', async () => {
    const path = join(dir, 'text.pcap');
    writeFileSync(path, 'this is not a capture file, only some text\n');
    const streamed = await readStreamed(path, 8);
    assert.deepEqual(streamed.records, []);
    assert.match(streamed.error ?? '', /^not a pcap stream: unknown magic number 0x74686973$/);
  });

  it('a missing file or a directory fails with the path and the system code', async () => {
    await assert.rejects(openPcapFile(join(dir, 'missing.pcap')), (err: unknown) => err instanceof PcapFileOpenError && /^cannot read .*missing\.pcap: ENOENT$/.test(err.message));
    const directory = await openPcapFile(dir);
    await assert.rejects(directory.next(), (err: unknown) => err instanceof PcapFileOpenError && /: EISDIR$/.test(err.message));
  });
});
