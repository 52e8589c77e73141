/**
 * A standby tcpdump's pcap stream, held while another tcpdump's stream is passed on
 * (captureHandover.ts): the records the passed stream is already past are let go as
 * they come, the rest are kept, so the standby can take over at any moment from right
 * after the last packet passed.
 *
 * Records are let go only when stamped strictly before the last packet passed: of those
 * stamped at it, the handover's cut (PcapRecordStream.dropThrough) decides, knowing how
 * many the other tcpdump passed. What `drain` returns is therefore the standby's own
 * stream less whole records at its head: its file header, then whole records, then the
 * start of one not yet complete.
 */
import { GLOBAL_HEADER, isLittleEndianMagic, MAX_RECORD, read32, RECORD_HEADER } from './pcapRecordStream';

export interface PassedTime {
  sec: number;
  fraction: number;
}

export class StandbyRecords {
  private header?: Uint8Array;
  private littleEndian = true;
  /** Bytes of a unit (the file header or a record) not yet complete, copied. */
  private carry: Uint8Array = new Uint8Array(0);
  private readonly held: Uint8Array[] = [];
  private readonly heldSec: number[] = [];
  private readonly heldFraction: number[] = [];
  /** The first record still held: the ones before it were let go. */
  private head = 0;
  private broken = false;
  /** Bytes held: the engine's stream is paused past a limit (captureHandover.ts). */
  bytes = 0;
  /** Records let go as passed already by the other tcpdump. */
  letGo = 0;

  get isBroken(): boolean {
    return this.broken;
  }

  /** Reads one chunk; `passed` is the last packet the other tcpdump passed on (undefined: none yet). */
  push(chunk: Uint8Array, passed: PassedTime | undefined): void {
    if (this.broken) return;
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let o = 0;
    if (!this.header) {
      if (bytes.length < GLOBAL_HEADER) {
        this.carry = bytes.slice();
        return;
      }
      this.header = bytes.slice(0, GLOBAL_HEADER);
      this.littleEndian = isLittleEndianMagic(this.header);
      o = GLOBAL_HEADER;
    }
    const le = this.littleEndian;
    while (bytes.length - o >= RECORD_HEADER) {
      const length = read32(bytes, o + 8, le);
      if (length > MAX_RECORD) {
        this.broken = true;
        return;
      }
      const end = o + RECORD_HEADER + length;
      if (end > bytes.length) break;
      const sec = read32(bytes, o, le);
      const fraction = read32(bytes, o + 4, le);
      if (passed && isBefore(sec, fraction, passed)) {
        this.letGo++;
      } else {
        this.held.push(bytes.subarray(o, end));
        this.heldSec.push(sec);
        this.heldFraction.push(fraction);
        this.bytes += end - o;
      }
      o = end;
    }
    // A small copy: a view would keep the whole chunk alive for the piece of one record.
    this.carry = bytes.slice(o);
    if (passed) this.trim(passed);
  }

  /** Lets go of the held records the other tcpdump has now passed. */
  trim(passed: PassedTime): void {
    while (this.head < this.held.length && isBefore(this.heldSec[this.head]!, this.heldFraction[this.head]!, passed)) {
      this.bytes -= this.held[this.head]!.length;
      this.head++;
      this.letGo++;
    }
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      for (const a of [this.held, this.heldSec, this.heldFraction] as unknown[][]) a.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The stream to take over with: the file header, the records held and the start of the next, in order. Holds nothing after. */
  drain(): Uint8Array[] {
    const out = [...(this.header ? [this.header] : []), ...this.held.slice(this.head), ...(this.carry.length > 0 ? [this.carry] : [])];
    this.held.length = 0;
    this.heldSec.length = 0;
    this.heldFraction.length = 0;
    this.head = 0;
    this.bytes = 0;
    this.carry = new Uint8Array(0);
    return out;
  }
}

function isBefore(sec: number, fraction: number, passed: PassedTime): boolean {
  return sec < passed.sec || (sec === passed.sec && fraction < passed.fraction);
}
