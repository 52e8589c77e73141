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
/** The socket reads into one buffer of its own; what it read is copied out at its size. */
const READ_BUFFER_BYTES = 64 * 1024;
/** What `out` holds before it stops the reads (its reader's backpressure). */
const OUT_HIGH_WATER_MARK = 1024 * 1024;

/** `onread`: in Node since v12 for a Socket's constructor, not in @types/node's options. */
type OnreadSocketOptions = SocketConstructorOpts & {
  onread: { buffer: Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean };
};

export class CoalescingPipeReader {
  /** The bytes read, in order, after `prefix`; ends with the pipe. Starts paused. */
  readonly out: Readable;
  readonly socket: Socket;
  private resting = false;

  /** `prefix`: bytes read from the pipe before it reached this process. */
  constructor(fd: number, prefix: Uint8Array) {
    this.out = new Readable({ highWaterMark: OUT_HIGH_WATER_MARK, read: () => this.readMore() });
    if (prefix.length > 0) this.out.push(prefix);
    this.out.pause();
    // With `onread` the socket reads into the given buffer, and a pause stops the
    // reads at once (a plain socket goes on reading until 16 KB wait in it).
    const options: OnreadSocketOptions = {
      fd,
      readable: true,
      writable: false,
      onread: { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (n, buffer) => this.onRead(n, buffer) },
    };
    this.socket = new Socket(options);
    this.socket.pause();
    this.socket.once('end', () => this.out.push(null));
  }

  /** A read: false stops the reads (for a rest, or until `out` is read). */
  private onRead(n: number, buffer: Uint8Array): boolean {
    const room = this.out.push(Buffer.from(buffer.subarray(0, n)));
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
