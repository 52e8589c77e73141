/**
 * Splits the engine's attach stream of a container without a TTY into its
 * stdout and stderr. Each frame is an 8-byte header (stream type, three zero
 * bytes, payload length as u32 big-endian) and the payload. Unlike dockerode's
 * demuxStream, this keeps backpressure: when the reader of stdout pauses, the
 * attach stream is paused too, and the rest waits in the kernel's buffers and
 * tcpdump's ring instead of in this process's memory.
 */
import type { Readable, Writable } from 'node:stream';

const HEADER = 8;
const STDOUT = 1;
const STDERR = 2;

export function demultiplexAttach(source: Readable, stdout: Writable, stderr: Writable, onEnd: (error?: Error) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  const finish = (error?: Error): void => {
    if (ended) return;
    ended = true;
    stdout.end();
    stderr.end();
    onEnd(error);
  };
  source.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    let blocked = false;
    while (pending.length - offset >= HEADER) {
      const type = pending[offset];
      const length = pending.readUInt32BE(offset + 4);
      if (pending.length - offset < HEADER + length) break;
      const payload = pending.subarray(offset + HEADER, offset + HEADER + length);
      offset += HEADER + length;
      if (type === STDOUT) blocked = !stdout.write(payload) || blocked;
      else if (type === STDERR) stderr.write(payload);
      // type 0 (stdin echo) does not occur without a TTY and stdin; ignored.
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
    if (blocked) {
      source.pause();
      stdout.once('drain', () => source.resume());
    }
  });
  source.on('end', () => finish());
  source.on('close', () => finish());
  source.on('error', (e: Error) => finish(e));
}
