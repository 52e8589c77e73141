/**
 * The packet reader's view of tcpdump's pipe (src/helper/coalescingPipeReader.ts),
 * on a real pipe (a FIFO) written by another process: every byte comes once, in
 * order, after the prefix, and the stream ends with the writer; a writer that sends
 * many small writes, as tcpdump -U does, is read in far fewer reads; and a reader
 * that does not read stops the reads instead of gathering the pipe in memory.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, open as openFd, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CoalescingPipeReader } from '../../src/helper/coalescingPipeReader';

const dir = mkdtempSync(join(tmpdir(), 'dnc-unit-pipe-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fifos = 0;

/**
 * A writer process on a new FIFO: `writes` writes of `size` bytes (byte k of the
 * stream is k % 251), `gapMicros` of busy wait between two. Returns the read end's fd.
 */
async function writerOnFifo(writes: number, size: number, gapMicros: number): Promise<{ fd: number; child: ChildProcess }> {
  const path = join(dir, `fifo-${fifos++}`);
  execFileSync('mkfifo', [path]);
  const script = `
    const fs = require('node:fs');
    const fd = fs.openSync(${JSON.stringify(path)}, 'w');
    const chunk = Buffer.alloc(${size});
    let k = 0;
    for (let w = 0; w < ${writes}; w++) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = (k++) % 251;
      fs.writeSync(fd, chunk);
      const until = process.hrtime.bigint() + BigInt(${gapMicros * 1000});
      while (process.hrtime.bigint() < until);
    }
    fs.closeSync(fd);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  // Opens once the writer has opened its end (a FIFO opened for reading waits for a
  // writer); a writer that failed first is reported instead of waited for.
  let opened = false;
  const opening = new Promise<number>((resolve, reject) =>
    openFd(path, constants.O_RDONLY, (err, fd) => {
      opened = true;
      if (err) reject(err);
      else resolve(fd);
    }),
  );
  const failed = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      if (opened) return;
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); // lets the open above end
      reject(new Error(`the writer exited (${code}) before opening the FIFO`));
    }),
  );
  return { fd: await Promise.race([opening, failed]), child };
}

/** Reads `out` to its end: the chunks in order. */
function readAll(reader: CoalescingPipeReader): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    reader.out.on('data', (c: Buffer) => chunks.push(c));
    reader.out.once('end', () => resolve(chunks));
    reader.out.once('error', reject);
    reader.out.resume();
  });
}

function expectedBytes(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let k = 0; k < length; k++) b[k] = k % 251;
  return b;
}

describe('tcpdump pipe reader', () => {
  it('gives the prefix, then every byte once and in order, and ends with the writer', async () => {
    const { fd } = await writerOnFifo(500, 1000, 0);
    const reader = new CoalescingPipeReader(fd, Buffer.from('prefix:'));
    const all = Buffer.concat(await readAll(reader));
    assert.equal(all.subarray(0, 7).toString(), 'prefix:');
    assert.ok(all.subarray(7).equals(expectedBytes(500 * 1000)), `${all.length - 7} bytes, as written`);
  });

  it('reads small writes in few reads, as tcpdump -U makes them one packet each', async () => {
    // 2,000 writes of 200 bytes, 20 us apart (40 ms in all): a reader that keeps up
    // without a rest takes hundreds of reads; with a 1 ms rest after a small read, a
    // few dozen.
    const { fd } = await writerOnFifo(2000, 200, 20);
    const reader = new CoalescingPipeReader(fd, new Uint8Array(0));
    const chunks = await readAll(reader);
    assert.ok(Buffer.concat(chunks).equals(expectedBytes(2000 * 200)));
    assert.ok(chunks.length < 250, `${chunks.length} reads for 2,000 writes`);
  });

  it('stops reading while its reader does not read, then gives everything', async () => {
    const size = 8 * 1024 * 1024;
    const { fd, child } = await writerOnFifo(size / 65536, 65536, 0);
    const reader = new CoalescingPipeReader(fd, new Uint8Array(0));
    await new Promise((r) => setTimeout(r, 500));
    // Nobody read: at most out's high-water mark and one read more wait in memory,
    // and the writer is held by the full pipe.
    assert.ok(reader.out.readableLength <= 1024 * 1024 + 65536, `${reader.out.readableLength} bytes held`);
    assert.equal(child.exitCode, null, 'the writer waits for the pipe');
    const all = Buffer.concat(await readAll(reader));
    assert.ok(all.equals(expectedBytes(size)), `${all.length} bytes of ${size}`);
  });
});
