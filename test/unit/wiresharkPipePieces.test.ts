/**
 * The pieces of Open in Wireshark that need no Wireshark: cutting the spool's pcap at
 * record boundaries (a reader on a pipe must never get half a record), and finding the
 * program on PATH without a shell.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { findExecutable } from '../../src/extension/wireshark/findExecutable';
import { PcapRecordCutter } from '../../src/extension/wireshark/pcapRecordCutter';

const FILE = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'docker-bridge.pcap')));
const RECORDS = readPcapFile(FILE).records.length;

function cut(bytes: Uint8Array, chunkSizes: number[]): { out: Uint8Array; cutter: PcapRecordCutter } {
  const cutter = new PcapRecordCutter();
  const parts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] ?? 1;
    parts.push(cutter.push(bytes.slice(at, at + size)).slice());
    at += size;
  }
  return { out: new Uint8Array(Buffer.concat(parts)), cutter };
}

describe('PcapRecordCutter', () => {
  it('in chunks of any size, gives back the whole file: header then whole records only', () => {
    for (const sizes of [[1], [7, 13], [24], [100, 3], [FILE.length]]) {
      const { out, cutter } = cut(FILE, sizes);
      assert.deepEqual(out, FILE, `chunks of ${sizes.join(',')}`);
      assert.equal(cutter.records, RECORDS);
      assert.equal(cutter.linkType, 1, 'Ethernet');
    }
  });

  it('a file cut in the middle of a record gives back the records before it', () => {
    const records = readPcapFile(FILE).records;
    // Header + the first 5 records, then 30 bytes of the sixth.
    const fiveEnd = 24 + records.slice(0, 5).reduce((sum, r) => sum + 16 + r.data.length, 0);
    const { out, cutter } = cut(FILE.slice(0, fiveEnd + 30), [11]);
    assert.equal(out.length, fiveEnd);
    assert.equal(cutter.records, 5);
    assert.equal(readPcapFile(out).records.length, 5);
  });

  it('refuses what is not the spool\'s microsecond pcap', () => {
    assert.throws(() => new PcapRecordCutter().push(new Uint8Array(32)), /not a microsecond pcap/);
  });
});

describe('findExecutable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-find-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['a', 'b', 'c']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'a', 'wireshark'), 'not executable');
  mkdirSync(join(dir, 'b', 'wireshark'));
  writeFileSync(join(dir, 'c', 'wireshark'), '#!/bin/sh\n');
  chmodSync(join(dir, 'c', 'wireshark'), 0o755);

  it('the first executable regular file on PATH, skipping a non-executable file and a folder', async () => {
    assert.equal(await findExecutable('wireshark', [join(dir, 'a'), join(dir, 'b'), join(dir, 'c')].join(':')), join(dir, 'c', 'wireshark'));
  });

  it('nothing when it is not there; relative PATH entries are never searched', async () => {
    assert.equal(await findExecutable('wireshark', [join(dir, 'a'), join(dir, 'b')].join(':')), undefined);
    assert.equal(await findExecutable('wireshark', ''), undefined);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(await findExecutable('wireshark', 'c'), undefined, 'c/wireshark exists relative to the working folder');
    } finally {
      process.chdir(cwd);
    }
  });
});
