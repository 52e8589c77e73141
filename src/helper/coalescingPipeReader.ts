/**
 * tcpdump's pipe as the packet reader reads it: with a short rest after each
 * small read. Under `-U` tcpdump writes every packet on its own, and a reader that
 * keeps up takes them one read each: about 4 us of this process's CPU per packet
 * in a flood (bench 2c, host helper), on the same two cores as the flood's sender
 * and tcpdump. After a rest of 1 ms the pipe holds what was written meanwhile, and
 * one read takes it. 1 ms is nothing next to the wire-to-row latency (tens of ms);
 * a pipe that fills meanwhile makes tcpdump wait, and its kernel ring (~1,000
 * slots, capturePlan.ts) holds the packets that come in that time.
 */
import { Socket, type SocketConstructorOpts } from 'node:net';
import { Readable } from 'node:stream';

/** A read this small (a few packets) is followed by a rest. */
const SMALL_READ_BYTES = 16 * 1024;
const REST_MS = 1;
/** The most one read takes. */
const READ_BYTES = 64 * 1024;
/**
 * Reads go one after the other into a block this big, each handed on as a view of
 * it: no copy (a block is never written twice), and a small read does not hold 64 KB.
 */
const BLOCK_BYTES = 1024 * 1024;
/** What `out` holds before it stops the reads (its reader's backpressure). */
const OUT_HIGH_WATER_MARK = 1024 * 1024;

/** `onread`: in Node since v12 for a Socket's constructor, not in @types/node's options. */
type OnreadSocketOptions = SocketConstructorOpts & {
  onread: { buffer: () => Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean };
};

export class CoalescingPipeReader {
  /** The bytes read, in order, after `prefix`; ends with the pipe. Starts paused. */
  readonly out: Readable;
  readonly socket: Socket;
  private resting = false;
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  /** Bytes of `block` already handed on. */
  private used = 0;

  /** `prefix`: bytes read from the pipe before it reached this process. */
  constructor(fd: number, prefix: Uint8Array) {
    this.out = new Readable({ highWaterMark: OUT_HIGH_WATER_MARK, read: () => this.readMore() });
    if (prefix.length > 0) this.out.push(prefix);
    this.out.pause();
    // With `onread` the socket reads where it is told, and a pause stops the reads at
    // once (a plain socket goes on reading until 16 KB wait in it).
    const options: OnreadSocketOptions = {
      fd,
      readable: true,
      writable: false,
      onread: { buffer: () => this.readSpace(), callback: (n, buffer) => this.onRead(n, buffer) },
    };
    this.socket = new Socket(options);
    this.socket.pause();
    this.socket.once('end', () => this.out.push(null));
  }

  /** Where the next read goes: the rest of the block, or a new block when that is short. */
  private readSpace(): Uint8Array {
    if (BLOCK_BYTES - this.used < READ_BYTES) {
      this.block = Buffer.allocUnsafe(BLOCK_BYTES);
      this.used = 0;
    }
    return this.block.subarray(this.used, this.used + READ_BYTES);
  }

  /** A read of `n` bytes into `buffer` (from readSpace): false stops the reads (for a rest, or until `out` is read). */
  private onRead(n: number, buffer: Uint8Array): boolean {
    this.used += n;
    const bytes = buffer as Buffer;
    const room = this.out.push(bytes.subarray(0, n));
    if (!room || n >= SMALL_READ_BYTES) return room;
    this.resting = true;
    setTimeout(() => {
      this.resting = false;
      // Go on unless `out` is full; then its read() does, once drained.
      if (this.out.readableLength < this.out.readableHighWaterMark) this.socket.resume();
    }, REST_MS);
    return false;
  }

  /** `out` wants more: read on, unless resting (the rest's end reads on). */
  private readMore(): void {
    if (!this.resting) this.socket.resume();
  }
}
