/**
 * How the CLI shows packets: the seed's text (OUT:/IN: and a boxed hexdump),
 * the seed's JSON array, or one JSON object a line. Output is gathered and
 * written in chunks (one write per packet would cap a busy capture at what the
 * terminal takes in syscalls: chunkedText.ts); text is written as bytes, JSON
 * as UTF-8. Nothing is kept once
 * written: the -j array goes out element by element, so memory stays flat
 * whatever the number of packets, and the bytes are what
 * `JSON.stringify(records, null, 3)` printed at the end before.
 *
 * Backpressure is the caller's: after a batch, wait for `output.drained()`
 * while `output.full`.
 *
 * With --tls-keylog, -j keeps its records until the end (keys that arrive later
 * decrypt earlier records in place), so that one combination does not stream.
 */
import type { BoxedTextPacket } from '../core/boxedTextWriter';
import { summarize, summarizeEndpoints } from '../core/decode/index';
import type { CapturedFrame, PacketSummary } from '../core/packet';
import { toHex } from '../core/hex';
import { seedTextLines, toSeedJsonRecord, type SeedJsonRecord } from '../core/seedFormat';
import { ChunkedText } from './chunkedText';
import type { PrinterOutput } from './printerOutput';
import { decryptedTextLines, lateDecryptionJson, lateDecryptionText, type TlsPrinting } from './tlsPrinting';

/** A JSON record with --tls-keylog: `decrypted_payload` is the hex of the frame's decrypted application data. */
type DecryptedJsonRecord = SeedJsonRecord & { decrypted_payload?: string };

export type OutputFormat = 'text' | 'json' | 'ndjson';

/**
 * One `-j` array element, exactly as `JSON.stringify(array, null, 3)` prints it, built
 * field by field: the keys and their order are SeedJsonRecord's, strings go through
 * JSON.stringify (escaping), the payload is hex and the ports digits (nothing to escape).
 */
export function seedJsonArrayElement(r: SeedJsonRecord): string {
  return `   {
      "payload": "${r.payload}",
      "src_port": "${r.src_port}",
      "interface": ${JSON.stringify(r.interface)},
      "src": ${JSON.stringify(r.src)},
      "dst": ${JSON.stringify(r.dst)},
      "dst_port": "${r.dst_port}",
      "time": ${JSON.stringify(r.time)},
      "direction": ${JSON.stringify(r.direction)},
      "protocol": ${JSON.stringify(r.protocol)},
      "info": ${JSON.stringify(r.info)},
      "length": ${r.length}
   }`;
}

/** `frame` as the boxed-text writer needs it, in `p` (reused: one object for every row; clear `p.data` after). */
export function boxedTextPacketOf(frame: CapturedFrame, p: BoxedTextPacket): BoxedTextPacket {
  const s = summarizeEndpoints(frame.data, frame.linkType, frame.originalLength);
  p.direction = frame.direction;
  p.src = s.src;
  p.dst = s.dst;
  p.srcPort = s.srcPort;
  p.dstPort = s.dstPort;
  p.data = frame.data;
  p.payloadOffset = s.payloadOffset;
  p.payloadLength = s.payloadLength;
  return p;
}

export class PacketPrinter {
  private readonly text: ChunkedText;
  private readonly packet: BoxedTextPacket = { direction: 'out', src: '', dst: '', srcPort: -1, dstPort: -1, data: new Uint8Array(0), payloadOffset: 0, payloadLength: 0 };
  private scheduled = false;
  /** -j with --tls-keylog: every record, printed at the end. */
  private readonly tlsRecords: DecryptedJsonRecord[] = [];
  /** -j with --tls-keylog: records of frames that had TLS records, by frame index, for keys that come later. */
  private readonly tlsRecordsByFrame = new Map<number, { record: DecryptedJsonRecord; summary: PacketSummary }>();
  count = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly output: PrinterOutput,
    private readonly tls?: TlsPrinting,
  ) {
    this.text = new ChunkedText(output);
    tls?.setLateHandler((late) => {
      // -j has not printed yet: its records take the plaintext in place.
      for (const l of late) {
        const kept = this.tlsRecordsByFrame.get(l.frame - 1);
        if (kept) {
          const now = tls.summaryOf(l.frame - 1, kept.summary);
          if (l.plaintext) kept.record.decrypted_payload = toHex(l.plaintext);
          kept.record.protocol = now.protocol;
          kept.record.info = now.info;
        } else if (l.plaintext && this.format !== 'json') {
          this.text.addText(this.format === 'ndjson' ? lateDecryptionJson(l.frame, l.plaintext) : lateDecryptionText(l.frame, l.plaintext));
          this.schedule();
        }
      }
    });
  }

  add(frame: CapturedFrame): void {
    const index = this.count++;
    if (this.output.closed) return; // nobody reads: not worth decoding
    if (this.tls) this.addWithTls(index, frame);
    else if (this.format === 'text') this.addText(frame);
    else {
      const record = toSeedJsonRecord(frame, summarize(frame.data, frame.linkType, frame.originalLength), nativeHex);
      if (this.format === 'ndjson') this.text.addText(JSON.stringify(record) + '\n');
      else this.text.addText((this.count === 1 ? '[\n' : ',\n') + seedJsonArrayElement(record));
    }
    this.schedule();
  }

  /** A live capture's packets show without waiting for a chunk to fill. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private addWithTls(index: number, frame: CapturedFrame): void {
    const tls = this.tls as TlsPrinting;
    const plain = summarize(frame.data, frame.linkType, frame.originalLength);
    const { summary, decrypted, notDecrypted } = tls.frame(index, frame.data, frame.linkType, plain);
    if (this.format === 'text') {
      const lines = seedTextLines(frame, summary);
      if (decrypted) lines.push(...decryptedTextLines(decrypted));
      else if (notDecrypted) lines.push(`TLS not decrypted: ${notDecrypted}`);
      this.text.addText(lines.join('\n') + '\n');
      return;
    }
    const record: DecryptedJsonRecord = toSeedJsonRecord(frame, summary);
    if (decrypted) record.decrypted_payload = toHex(decrypted);
    if (this.format === 'ndjson') return this.text.addText(JSON.stringify(record) + '\n');
    this.tlsRecords.push(record);
    if (tls.decryptor.recordsOf(index)) this.tlsRecordsByFrame.set(index, { record, summary: plain });
  }

  private addText(frame: CapturedFrame): void {
    const p = boxedTextPacketOf(frame, this.packet);
    this.text.addBoxedText(p);
    p.data = EMPTY; // do not keep the frame's chunk alive
  }

  /** Hands what is gathered to the output. */
  flush(): void {
    this.scheduled = false;
    this.text.write();
  }

  /** Flushes what is pending; for -j, closes the array (`[]` when there was nothing, as before). */
  finish(): void {
    this.tls?.finish();
    if (this.format === 'json' && !this.output.closed) {
      if (this.tls) this.text.addText(JSON.stringify(this.tlsRecords, null, 3) + '\n');
      else this.text.addText(this.count === 0 ? '[]\n' : '\n]\n');
    }
    this.flush();
  }
}

const EMPTY = new Uint8Array(0);

/** One native call instead of a string concatenation per byte: less time and far less garbage. */
function nativeHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
