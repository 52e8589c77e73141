/**
 * How the CLI shows packets: the seed's text (OUT:/IN: and a boxed hexdump),
 * the seed's JSON array at the end, or one JSON object a line as they come.
 * Output is gathered and written in chunks: one write per packet would cap a
 * busy capture at what the terminal can take in syscalls.
 */
import { summarize } from '../core/decode/index';
import type { CapturedFrame, PacketSummary } from '../core/packet';
import { toHex } from '../core/hex';
import { formatSeedText, seedTextLines, toSeedJsonRecord, type SeedJsonRecord } from '../core/seedFormat';
import { decryptedTextLines, lateDecryptionJson, lateDecryptionText, type TlsPrinting } from './tlsPrinting';

/** A JSON record with --tls-keylog: `decrypted_payload` is the hex of the frame's decrypted application data. */
type DecryptedJsonRecord = SeedJsonRecord & { decrypted_payload?: string };

export type OutputFormat = 'text' | 'json' | 'ndjson';

export class PacketPrinter {
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly records: SeedJsonRecord[] = [];
  /** -j with --tls-keylog: records of frames that had TLS records, by frame index, for keys that come later. */
  private readonly tlsRecordsByFrame = new Map<number, { record: DecryptedJsonRecord; summary: PacketSummary }>();
  private scheduled = false;
  count = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly write: (text: string) => void,
    private readonly tls?: TlsPrinting,
  ) {
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
          this.queue(this.format === 'ndjson' ? lateDecryptionJson(l.frame, l.plaintext) : lateDecryptionText(l.frame, l.plaintext));
        }
      }
    });
  }

  add(frame: CapturedFrame): void {
    const index = this.count++;
    if (this.tls) return this.addWithTls(index, frame);
    const summary = summarize(frame.data, frame.linkType, frame.originalLength);
    if (this.format === 'json') {
      this.records.push(toSeedJsonRecord(frame, summary));
      return;
    }
    this.queue(this.format === 'ndjson' ? JSON.stringify(toSeedJsonRecord(frame, summary)) + '\n' : formatSeedText(frame, summary));
  }

  private addWithTls(index: number, frame: CapturedFrame): void {
    const tls = this.tls as TlsPrinting;
    const plain = summarize(frame.data, frame.linkType, frame.originalLength);
    const { summary, decrypted, notDecrypted } = tls.frame(index, frame.data, frame.linkType, plain);
    if (this.format === 'text') {
      const lines = seedTextLines(frame, summary);
      if (decrypted) lines.push(...decryptedTextLines(decrypted));
      else if (notDecrypted) lines.push(`TLS not decrypted: ${notDecrypted}`);
      this.queue(lines.join('\n') + '\n');
      return;
    }
    const record: DecryptedJsonRecord = toSeedJsonRecord(frame, summary);
    if (decrypted) record.decrypted_payload = toHex(decrypted);
    if (this.format === 'ndjson') return this.queue(JSON.stringify(record) + '\n');
    this.records.push(record);
    if (tls.decryptor.recordsOf(index)) this.tlsRecordsByFrame.set(index, { record, summary: plain });
  }

  private queue(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength > 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.write(text);
  }

  /** Flushes what is pending; for -j, prints the whole JSON array (the seed's behaviour). */
  finish(): void {
    this.tls?.finish();
    this.flush();
    if (this.format === 'json') this.write(JSON.stringify(this.records, null, 3) + '\n');
  }
}
