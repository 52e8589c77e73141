/**
 * The pcap writer: what it writes reads back identically, tshark opens it, and
 * frames of a second link type are left out and counted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { encodePcapFile, pcapGlobalHeader, pcapRecordBytes } from '../../src/core/pcap/pcapWriter';
import { oracleMissing } from './oracle';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

describe('pcap writer', () => {
  it('writes a file that reads back record for record', () => {
    const original = readPcapFile(fixture('loopback-tls.pcap'));
    const written = encodePcapFile(original.records);
    assert.deepEqual([written.linkType, written.written, written.skipped], [1, original.records.length, 0]);
    const again = readPcapFile(written.bytes);
    assert.equal(again.error, undefined);
    assert.equal(again.header?.nanosecond, false);
    assert.deepEqual(again.records.map((r) => [r.tsSec, r.tsUsec, r.originalLength, Buffer.from(r.data).toString('hex')]),
      original.records.map((r) => [r.tsSec, r.tsUsec, r.originalLength, Buffer.from(r.data).toString('hex')]));
  });

  it('streaming pieces (header + records) equal the whole-file encoding', () => {
    const { records } = readPcapFile(fixture('loopback-icmp.pcap'));
    const pieces = [pcapGlobalHeader(1), ...records.map((r) => pcapRecordBytes(r))];
    assert.deepEqual(Buffer.concat(pieces), Buffer.from(encodePcapFile(records).bytes));
  });

  it('converts nanosecond input to a microsecond file; cuts to the snap length', () => {
    const ns = readPcapFile(fixture('loopback-udp-nanosecond.pcap'));
    const file = encodePcapFile(ns.records, { snapLength: 50 });
    const back = readPcapFile(file.bytes);
    assert.equal(back.header?.snapLength, 50);
    assert.deepEqual(back.records.map((r) => [r.tsUsec, r.data.length, r.originalLength]), ns.records.map((r) => [r.tsUsec, 50, r.originalLength]));
  });

  it('one link type per file: the others are skipped and counted', () => {
    const ethernet = readPcapFile(fixture('loopback-udp.pcap')).records;
    const cooked = readPcapFile(fixture('any-sll2.pcap')).records;
    const mixed = encodePcapFile([...ethernet, ...cooked]);
    assert.deepEqual([mixed.linkType, mixed.written, mixed.skipped], [1, 2, 4]);
    const onlyCooked = encodePcapFile([...ethernet, ...cooked], { linkType: 276 });
    assert.deepEqual([onlyCooked.written, readPcapFile(onlyCooked.bytes).header?.linkType], [4, 276]);
    assert.equal(encodePcapFile([]).bytes.length, 24);
  });

  it('tshark opens what it writes', { skip: oracleMissing('tshark') }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnc-pcap-'));
    try {
      const { records } = readPcapFile(fixture('loopback-dns.pcap'));
      const path = join(dir, 'out.pcap');
      writeFileSync(path, encodePcapFile(records).bytes);
      const names = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'dns.qry.name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      assert.deepEqual(names.trim().split('\n'), ['example.test', 'example.test', 'example.test', 'example.test', 'nx.example.test', 'nx.example.test', 'www.example.test', 'www.example.test']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
