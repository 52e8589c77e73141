/**
 * A large capture file is streamed to the inspector and indexed
 * (src/extension/file/indexedFileReader.ts): whatever the read size, pcap or
 * pcapng, the streamed frames are the whole-file ones, and reading a packet back
 * by its number gives its bytes from the file. A cut last record is reported in
 * one line while every packet before it stays listed and readable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { IndexedFileReader } from '../../src/extension/file/indexedFileReader';
import { encodePcapngCapture } from '../../src/extension/save/pcapngSave';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'dnc-unit-indexed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : 'none');
const plain = (f: CapturedFrame): object => ({ ...f, data: hex(f.data) });

async function streamAll(path: string, chunkBytes: number): Promise<{ frames: CapturedFrame[]; problem: string | undefined; reader: IndexedFileReader }> {
  const reader = await IndexedFileReader.open(path, chunkBytes);
  const frames: CapturedFrame[] = [];
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
    const batch = readFrameBatch(chunk.batch);
    assert.equal(batch.length, chunk.packets);
    frames.push(...batch);
  }
  return { frames, problem: reader.problem, reader };
}

function wholeFileFrames(bytes: Uint8Array): CapturedFrame[] {
  // What the whole-file path posts to the webview: a frameBatch carries no packet comment, nor where the bytes lay in the file.
  return readPcapFile(bytes).records.map(({ comment: _, dataOffset: _offset, ...r }) => ({ ...r, interfaceName: r.interfaceName ?? '', direction: r.direction ?? 'in' }));
}

async function checkFile(path: string): Promise<void> {
  const bytes = readFileSync(path);
  const expected = wholeFileFrames(bytes);
  assert.ok(expected.length > 1);
  for (const chunkBytes of [1, 7, 64, 1000, bytes.length]) {
    const { frames, problem, reader } = await streamAll(path, chunkBytes);
    try {
      assert.equal(problem, undefined, `read size ${chunkBytes}`);
      assert.deepEqual(frames.map(plain), expected.map(plain), `read size ${chunkBytes}`);
      assert.equal(reader.index.size, expected.length);
      // Every packet read back by number, last first (not in file order), is its bytes in the file.
      const numbers = expected.map((_, i) => expected.length - i);
      const back = await reader.readPackets(numbers);
      assert.deepEqual(back.map(hex), numbers.map((n) => hex(expected[n - 1]?.data)), `read size ${chunkBytes}`);
      assert.deepEqual((await reader.readPackets([0, expected.length + 1])).map(hex), ['none', 'none']);
    } finally {
      await reader.close();
    }
  }
}

describe('a big capture file streamed and indexed', () => {
  for (const name of ['loopback-http.pcap', 'loopback-udp-nanosecond.pcap', 'any-sll2.pcap']) {
    it(`${name} (pcap): the streamed frames and the bytes read back by number match the file`, async () => {
      await checkFile(join(FIXTURES, name));
    });
  }

  it('pcapng with interface names and directions: the same, packet blocks found by their lengths', async () => {
    const frames = wholeFileFrames(readFileSync(join(FIXTURES, 'loopback-http.pcap'))).map((f, i): CapturedFrame => ({ ...f, interfaceName: i % 2 ? 'web-1/eth0' : 'db/lo', direction: i % 3 ? 'in' : 'out' }));
    const path = join(dir, 'named.pcapng');
    writeFileSync(path, encodePcapngCapture(frames));
    await checkFile(path);
    const { frames: streamed, reader } = await streamAll(path, 100);
    await reader.close();
    assert.deepEqual(streamed.map((f) => [f.interfaceName.endsWith('eth0'), f.direction]), frames.map((f) => [f.interfaceName.endsWith('eth0'), f.direction]));
  });

  for (const format of ['pcap', 'pcapng'] as const) {
    it(`${format}: a cut last record is reported in one line and every packet before it is kept`, async () => {
      const source = readFileSync(join(FIXTURES, 'loopback-http.pcap'));
      const full = format === 'pcap' ? source : Buffer.from(encodePcapngCapture(wholeFileFrames(source)));
      const expected = wholeFileFrames(full);
      const path = join(dir, `cut.${format}`);
      writeFileSync(path, full.subarray(0, full.length - 5));
      const { frames, problem, reader } = await streamAll(path, 64);
      try {
        assert.match(problem ?? '', /truncated/);
        assert.ok(!(problem ?? '').includes('\n'));
        assert.equal(frames.length, expected.length - 1);
        assert.deepEqual(frames.map(plain), expected.slice(0, -1).map(plain));
        const back = await reader.readPackets([1, expected.length - 1, expected.length]);
        assert.deepEqual(back.map(hex), [hex(expected[0]?.data), hex(expected[expected.length - 2]?.data), 'none']);
      } finally {
        await reader.close();
      }
    });
  }

  it('rewind streams the file again from its first packet with a fresh index', async () => {
    const path = join(FIXTURES, 'loopback-dns.pcap');
    const reader = await IndexedFileReader.open(path, 50);
    try {
      await reader.next();
      await reader.next();
      await reader.rewind();
      const again: CapturedFrame[] = [];
      for (let chunk = await reader.next(); chunk; chunk = await reader.next()) again.push(...readFrameBatch(chunk.batch));
      assert.deepEqual(again.map(plain), wholeFileFrames(readFileSync(path)).map(plain));
      assert.equal(reader.index.size, again.length);
    } finally {
      await reader.close();
    }
  });
});
