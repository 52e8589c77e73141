/**
 * The pcap stream reader on real tcpdump output: same records as the `pcap-parser`
 * package and as tshark, whatever the chunking; nanosecond and big-endian files;
 * and clear error values for what it cannot read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { PcapStreamReader, readPcapFile, type PcapRecord } from '../../src/core/pcap/pcapReader';
import { oracleMissing } from './oracle';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

interface ParserPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

/** Every packet `pcap-parser` (the package the issue named) emits for `bytes`. */
async function parseWithPcapParser(bytes: Uint8Array): Promise<ParserPacket[]> {
  // The package ships no types; require it through createRequire and describe the one call used.
  const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: Readable): NodeJS.EventEmitter };
  const parser = pcapParser.parse(Readable.from([Buffer.from(bytes)]));
  const packets: ParserPacket[] = [];
  return new Promise((resolve, reject) => {
    parser.on('packet', (p: ParserPacket) => packets.push({ header: { ...p.header }, data: Buffer.from(p.data) }));
    parser.once('end', () => resolve(packets));
    parser.once('error', reject);
  });
}

/** Feeds `bytes` in chunks of the given sizes (cycled) and collects everything. */
function readChunked(bytes: Uint8Array, sizes: number[]): { records: PcapRecord[]; error: string | undefined } {
  const reader = new PcapStreamReader();
  const records: PcapRecord[] = [];
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    // Copy each chunk: a stream hands out separate buffers.
    records.push(...reader.push(bytes.slice(pos, pos + size)).records);
    pos += size;
  }
  return { records, error: reader.end()?.message };
}

/** Rewrites a little-endian pcap as big-endian: every header field byte-swapped. */
function toBigEndian(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const swap32 = (o: number): void => view.setUint32(o, view.getUint32(o, true), false);
  const swap16 = (o: number): void => view.setUint16(o, view.getUint16(o, true), false);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  let p = 24;
  while (p + 16 <= out.length) {
    const length = view.getUint32(p + 8, true);
    for (const o of [0, 4, 8, 12]) swap32(p + o);
    p += 16 + length;
  }
  return out;
}

describe('PcapStreamReader', () => {
  it('matches pcap-parser on a real capture: count, timestamps, lengths and bytes', async () => {
    const bytes = fixture('docker-bridge.pcap');
    const ours = readPcapFile(bytes);
    const theirs = await parseWithPcapParser(bytes);
    assert.equal(ours.error, undefined);
    assert.equal(ours.header?.linkType, 1);
    assert.equal(ours.records.length, theirs.length);
    assert.ok(theirs.length > 30);
    ours.records.forEach((r, i) => {
      const t = theirs[i]!;
      assert.equal(r.tsSec, t.header.timestampSeconds);
      assert.equal(r.tsUsec, t.header.timestampMicroseconds);
      assert.equal(r.originalLength, t.header.originalLength);
      assert.equal(r.data.length, t.header.capturedLength);
      assert.deepEqual(Buffer.from(r.data), t.data);
      assert.equal(r.linkType, 1);
    });
  });

  it('gives the same records for any chunking, including 1-byte chunks', () => {
    const bytes = fixture('loopback-tls.pcap');
    const whole = readPcapFile(bytes).records;
    for (const sizes of [[1], [2, 3, 5], [7], [16], [17, 100], [1000], [24, 16, 1]]) {
      const chunked = readChunked(bytes, sizes);
      assert.equal(chunked.error, undefined, `chunks ${sizes}`);
      assert.equal(chunked.records.length, whole.length, `chunks ${sizes}`);
      chunked.records.forEach((r, i) => {
        const w = whole[i]!;
        assert.deepEqual([r.tsSec, r.tsUsec, r.originalLength, r.linkType], [w.tsSec, w.tsUsec, w.originalLength, w.linkType]);
        assert.deepEqual(r.data, w.data);
      });
    }
  });

  it('forEachRecord walks the same records as push() for any chunking, and reports the same errors', () => {
    for (const name of ['loopback-tls.pcap', 'loopback-udp-nanosecond.pcap', 'docker-bridge.pcap']) {
      const bytes = fixture(name);
      const whole = readPcapFile(bytes).records;
      for (const sizes of [[1], [2, 3, 5], [17, 100], [1000], [bytes.length]]) {
        const reader = new PcapStreamReader();
        const seen: PcapRecord[] = [];
        let pos = 0;
        for (let i = 0; pos < bytes.length; i++) {
          const size = sizes[i % sizes.length]!;
          // The record object and the carry buffer of split records are the walker's own, reused: copy.
          const error = reader.forEachRecord(bytes.slice(pos, pos + size), (r) => seen.push({ ...r, data: r.data.slice() }));
          assert.equal(error, undefined, `${name} chunks ${sizes}`);
          pos += size;
        }
        assert.equal(reader.end(), undefined);
        assert.equal(seen.length, whole.length, `${name} chunks ${sizes}`);
        seen.forEach((r, i) => {
          const w = whole[i]!;
          assert.deepEqual([r.tsSec, r.tsUsec, r.originalLength, r.linkType], [w.tsSec, w.tsUsec, w.originalLength, w.linkType]);
          assert.deepEqual(r.data, w.data);
        });
      }
    }
    const cut = fixture('loopback-udp.pcap').slice();
    new DataView(cut.buffer).setUint32(24 + 16 + new DataView(cut.buffer).getUint32(24 + 8, true) + 8, 300 * 1024, true);
    const reader = new PcapStreamReader();
    let visited = 0;
    const error = reader.forEachRecord(cut, () => visited++);
    assert.equal(visited, 1);
    assert.match(error?.message ?? '', /record length 307200 exceeds 262144/);
    assert.equal(reader.forEachRecord(fixture('loopback-udp.pcap'), () => visited++), error, 'later chunks are ignored');
    assert.equal(visited, 1);
    const truncated = new PcapStreamReader();
    truncated.forEachRecord(fixture('loopback-icmp.pcap').subarray(0, 24 + 3 * (16 + 98) + 40), () => visited++);
    assert.match(truncated.end()?.message ?? '', /truncated last record: 24 of 98 captured bytes/);
  });

  it('hands out plain Uint8Array views (not Buffers) that survive later pushes', () => {
    const bytes = fixture('loopback-udp.pcap');
    const reader = new PcapStreamReader();
    const first = reader.push(Buffer.from(bytes.subarray(0, 80))).records;
    const rest = reader.push(Buffer.from(bytes.subarray(80))).records;
    const all = [...first, ...rest];
    assert.equal(all.length, 2);
    for (const r of all) assert.equal(Object.getPrototypeOf(r.data), Uint8Array.prototype);
    assert.equal(new TextDecoder().decode(all[0]!.data.subarray(42)), 'ping from dnc');
  });

  it('reads nanosecond pcap, converting to microseconds like tshark shows', () => {
    const bytes = fixture('loopback-udp-nanosecond.pcap');
    const file = readPcapFile(bytes);
    assert.equal(file.header?.nanosecond, true);
    assert.equal(file.records.length, 2);
    const raw = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(file.records[0]!.tsUsec, Math.floor(raw.getUint32(24 + 4, true) / 1000));
  });

  it('nanosecond timestamps agree with tshark to the microsecond', { skip: oracleMissing('tshark') }, () => {
    const file = readPcapFile(fixture('loopback-udp-nanosecond.pcap'));
    const epochs = execFileSync('tshark', ['-r', join(FIXTURES, 'loopback-udp-nanosecond.pcap'), '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    assert.equal(epochs.length, file.records.length);
    file.records.forEach((r, i) => {
      const [sec, fraction] = epochs[i]!.split('.');
      assert.equal(r.tsSec, Number(sec));
      assert.equal(r.tsUsec, Math.floor(Number(fraction!.padEnd(9, '0')) / 1000));
    });
  });

  it('reads big-endian files', () => {
    const little = readPcapFile(fixture('loopback-http.pcap'));
    const big = readPcapFile(toBigEndian(fixture('loopback-http.pcap')));
    assert.equal(big.error, undefined);
    assert.equal(big.header?.littleEndian, false);
    assert.equal(big.records.length, little.records.length);
    big.records.forEach((r, i) => {
      assert.deepEqual([r.tsSec, r.tsUsec, r.originalLength], [little.records[i]!.tsSec, little.records[i]!.tsUsec, little.records[i]!.originalLength]);
      assert.deepEqual(r.data, little.records[i]!.data);
    });
  });

  it('reports a truncated last record as an error value and keeps the ones before it', () => {
    const bytes = fixture('loopback-icmp.pcap');
    const cut = bytes.subarray(0, bytes.length - 10);
    const file = readPcapFile(cut);
    assert.equal(file.records.length, 3);
    assert.equal(file.error?.kind, 'truncated');
    assert.match(file.error?.message ?? '', /truncated last record: 88 of 98 captured bytes/);
    const lastStart = 24 + 3 * (16 + 98);
    assert.equal(file.error?.streamOffset, lastStart);
    // Cut inside a record header.
    const inHeader = readPcapFile(bytes.subarray(0, lastStart + 5));
    assert.equal(inHeader.records.length, 3);
    assert.match(inHeader.error?.message ?? '', /truncated last record header: 5 of 16 bytes/);
    // Cut inside the global header, and nothing at all.
    assert.match(readPcapFile(bytes.subarray(0, 10)).error?.message ?? '', /truncated pcap global header: 10 of 24/);
    assert.match(readPcapFile(new Uint8Array(0)).error?.message ?? '', /empty pcap stream/);
  });

  it('rejects pcapng in a live stream and unknown formats with a clear message', () => {
    // tcpdump -w - never writes pcapng; files are read by readPcapFile, which does read it (pcapng.test.ts).
    const pcapng = new Uint8Array(64);
    pcapng.set([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]);
    const ng = new PcapStreamReader().push(pcapng);
    assert.equal(ng.error?.kind, 'unsupported-format');
    assert.match(ng.error?.message ?? '', /pcapng/);
    assert.equal(ng.records.length, 0);
    const text = readPcapFile(new TextEncoder().encode('this is not a capture file at all'));
    assert.equal(text.error?.kind, 'unsupported-format');
    assert.match(text.error?.message ?? '', /unknown magic number 0x74686973/);
  });

  it('rejects absurd record lengths as a malformed stream; later pushes are ignored', () => {
    const bytes = fixture('loopback-udp.pcap').slice();
    const view = new DataView(bytes.buffer);
    const second = 24 + 16 + view.getUint32(24 + 8, true);
    view.setUint32(second + 8, 300 * 1024, true);
    const reader = new PcapStreamReader();
    const result = reader.push(bytes);
    assert.equal(result.records.length, 1);
    assert.equal(result.error?.kind, 'malformed');
    assert.equal(result.error?.streamOffset, second);
    assert.match(result.error?.message ?? '', /record length 307200 exceeds 262144/);
    assert.equal(reader.push(fixture('loopback-udp.pcap')).records.length, 0);
    assert.equal(reader.end()?.kind, 'malformed');
    // More than twice the file's snap length is absurd too.
    const small = fixture('loopback-udp.pcap').slice();
    new DataView(small.buffer).setUint32(16, 20, true); // snaplen 20; the first record has 55 bytes
    assert.match(readPcapFile(small).error?.message ?? '', /record length 55 exceeds 40/);
  });
});
