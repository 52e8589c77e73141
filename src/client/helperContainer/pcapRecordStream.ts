/**
 * One tcpdump's pcap byte stream passed on whole records at a time, without copying
 * the bytes: the piece of a record split across chunks is kept as views until the
 * record is complete. A handover between two tcpdumps on the same interface
 * (captureHandover.ts) needs this: the stream passed on must end at a record
 * boundary when the old tcpdump's part ends, and the new tcpdump's part must start
 * after the last packet the old one gave, each packet once.
 *
 * Timestamps are compared as (seconds, fraction): both tcpdumps of a handover write
 * the same precision, so the fraction's unit does not matter.
 */

export const GLOBAL_HEADER = 24;
export const RECORD_HEADER = 16;
/** A record longer than this is not a record: the stream is broken (tcpdump's largest snap length is 262,144). */
export const MAX_RECORD = 16 * 1024 * 1024;

export class PcapRecordStream {
  private globalLeft = GLOBAL_HEADER;
  private readonly magic = new Uint8Array(4);
  private littleEndian = true;
  private headerFill = 0;
  private readonly header = new Uint8Array(RECORD_HEADER);
  private bodyLeft = 0;
  /** The record (or global header) in progress: its bytes from earlier chunks, as views. */
  private pieces: Uint8Array[] = [];
  /** The record in progress is dropped (it is at or before the cut). */
  private dropping = false;
  private cutSec = -1;
  private cutFraction = -1;
  private broken = false;
  /** Records whose header was read, dropped or passed. */
  records = 0;
  /** Records dropped as at or before the cut. */
  dropped = 0;
  /** Records passed on whole. */
  passed = 0;
  /** Timestamp of the last record passed on whole; -1 before the first. */
  lastSec = -1;
  lastFraction = -1;
  /** How many records passed in a row carry that last timestamp. */
  lastCount = 0;

  /** @param passGlobalHeader the first tcpdump's 24-byte file header is passed on; a successor's is not. */
  constructor(private passGlobalHeader: boolean) {}

  /** This stream passed its file header on (as the first of a handover's streams, or for a predecessor cut before its own). */
  globalHeaderPassed = false;

  /** A successor whose predecessor was cut before its file header passes its own. Call before the first push. */
  passOwnGlobalHeader(): void {
    this.passGlobalHeader = true;
  }

  /**
   * From now on, records stamped before this time are dropped, and of those stamped at it
   * the first `atCut` (the ones the predecessor passed: both saw them in the kernel's
   * order), until the first record after it.
   */
  dropThrough(sec: number, fraction: number, atCut = Number.POSITIVE_INFINITY): void {
    this.cutSec = sec;
    this.cutFraction = fraction;
    this.cutLeft = atCut;
  }

  private cutLeft = 0;

  /** The stream is no longer passed on: what still comes is counted (as dropped) and let go. */
  retire(): void {
    this.retired = true;
    this.pieces = [];
    this.dropThrough(0xffffffff, 0xffffffff);
    if (this.headerFill === RECORD_HEADER && !this.dropping) {
      // The record under way was not passed whole: it is dropped with the rest.
      this.dropping = true;
      this.dropped++;
    }
  }

  private retired = false;

  /** No longer passed on (`retire`): what still comes is counted as dropped. */
  get isRetired(): boolean {
    return this.retired;
  }

  /** True when the bytes do not parse as pcap (a record length past any snap length). */
  get isBroken(): boolean {
    return this.broken;
  }

  /**
   * Reads one chunk; `pass` gets views of whole records (and of the file header, when
   * passed), in order. Bytes of a record not yet complete are kept for the next chunk.
   */
  push(chunk: Uint8Array, pass: (bytes: Uint8Array) => void): void {
    if (this.broken) return;
    const n = chunk.length;
    let o = 0;
    /** Where this chunk's bytes still to pass begin (bytes before it were passed or dropped). */
    let from = 0;
    /** End of the last whole unit to pass in this chunk; -1 when none. */
    let passEnd = -1;
    while (o < n) {
      if (this.globalLeft > 0) {
        const take = Math.min(this.globalLeft, n - o);
        for (let i = 0; i < take; i++) {
          const at = GLOBAL_HEADER - this.globalLeft + i;
          if (at < 4) this.magic[at] = chunk[o + i]!;
        }
        o += take;
        this.globalLeft -= take;
        if (this.globalLeft === 0) {
          this.littleEndian = isLittleEndianMagic(this.magic);
          if (this.passGlobalHeader && !this.retired) {
            passEnd = o;
            this.globalHeaderPassed = true;
          } else {
            this.pieces = [];
            from = o;
          }
        }
        continue;
      }
      if (this.headerFill < RECORD_HEADER) {
        if (this.headerFill === 0 && n - o >= RECORD_HEADER) {
          this.startRecord(chunk, o);
          o += RECORD_HEADER;
        } else {
          const take = Math.min(RECORD_HEADER - this.headerFill, n - o);
          this.header.set(chunk.subarray(o, o + take), this.headerFill);
          this.headerFill += take;
          o += take;
          if (this.headerFill < RECORD_HEADER) break;
          this.startRecord(this.header, 0);
        }
        if (this.broken) break;
        if (this.dropping) {
          // Nothing of a dropped record is passed: neither its earlier pieces nor what follows.
          this.pieces = [];
          from = o;
        }
      }
      const take = Math.min(this.bodyLeft, n - o);
      o += take;
      this.bodyLeft -= take;
      if (this.bodyLeft > 0) break;
      this.headerFill = 0;
      if (this.dropping) {
        from = o;
        this.dropping = false;
      } else {
        passEnd = o;
        this.passed++;
        if (this.recordSec === this.lastSec && this.recordFraction === this.lastFraction) this.lastCount++;
        else this.lastCount = 1;
        this.lastSec = this.recordSec;
        this.lastFraction = this.recordFraction;
      }
    }
    if (passEnd > from) {
      for (const piece of this.pieces) pass(piece);
      this.pieces = [];
      pass(chunk.subarray(from, passEnd));
      from = passEnd;
    }
    // A unit still in progress keeps its bytes of this chunk for the next one.
    const inProgress = this.globalLeft > 0 || this.headerFill > 0 || this.bodyLeft > 0;
    if (inProgress && !this.dropping && !this.broken && o > from) this.pieces.push(chunk.subarray(from, o));
  }

  private recordSec = 0;
  private recordFraction = 0;

  /** Reads a record header at `h[at..at+16)`: its time, its length, and whether it is dropped. */
  private startRecord(h: Uint8Array, at: number): void {
    const le = this.littleEndian;
    const sec = read32(h, at, le);
    const fraction = read32(h, at + 4, le);
    const length = read32(h, at + 8, le);
    this.headerFill = RECORD_HEADER;
    if (length > MAX_RECORD) {
      this.broken = true;
      return;
    }
    this.records++;
    this.recordSec = sec;
    this.recordFraction = fraction;
    this.bodyLeft = length;
    const beforeCut = this.cutSec >= 0 && (sec < this.cutSec || (sec === this.cutSec && fraction < this.cutFraction));
    const atCut = this.cutSec >= 0 && sec === this.cutSec && fraction === this.cutFraction && this.cutLeft > 0;
    if (beforeCut || atCut) {
      if (atCut) this.cutLeft--;
      this.dropping = true;
      this.dropped++;
    } else if (this.cutSec >= 0 && sec === this.cutSec && fraction === this.cutFraction) {
      // At the cut but beyond what the predecessor passed: a packet it did not give.
      this.dropping = false;
    } else {
      // The first record after the cut: everything from here on is passed.
      this.dropping = false;
      this.cutSec = -1;
    }
  }
}

/** tcpdump's file magic, 0xa1b2c3d4 (µs) or 0xa1b23c4d (ns), is in the writer's byte order: its first byte tells which. */
export function isLittleEndianMagic(header: Uint8Array): boolean {
  return header[0] === 0xd4 || header[0] === 0x4d;
}

/** The timestamp of the first record of a pcap stream held as chunks; undefined until its header has come. */
export function firstRecordTime(chunks: readonly Uint8Array[]): { sec: number; fraction: number } | undefined {
  const head = new Uint8Array(GLOBAL_HEADER + 8);
  let n = 0;
  for (const c of chunks) {
    const take = Math.min(c.length, head.length - n);
    head.set(c.subarray(0, take), n);
    n += take;
    if (n === head.length) break;
  }
  if (n < head.length) return undefined;
  const le = isLittleEndianMagic(head);
  return { sec: read32(head, GLOBAL_HEADER, le), fraction: read32(head, GLOBAL_HEADER + 4, le) };
}

export function read32(h: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian
    ? (h[at]! | (h[at + 1]! << 8) | (h[at + 2]! << 16) | (h[at + 3]! << 24)) >>> 0
    : ((h[at]! << 24) | (h[at + 1]! << 16) | (h[at + 2]! << 8) | h[at + 3]!) >>> 0;
}
