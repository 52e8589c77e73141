/**
 * How the CLI shows packets: the seed's text (OUT:/IN: and a boxed hexdump),
 * the seed's JSON array at the end, or one JSON object a line as they come.
 * Output is gathered and written in chunks: one write per packet would cap a
 * busy capture at what the terminal can take in syscalls.
 */
import { summarize } from '../core/decode/index';
import type { CapturedFrame } from '../core/packet';
import { formatSeedText, toSeedJsonRecord, type SeedJsonRecord } from '../core/seedFormat';

export type OutputFormat = 'text' | 'json' | 'ndjson';

export class PacketPrinter {
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly records: SeedJsonRecord[] = [];
  private scheduled = false;
  count = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly write: (text: string) => void,
  ) {}

  add(frame: CapturedFrame): void {
    this.count++;
    const summary = summarize(frame.data, frame.linkType, frame.originalLength);
    if (this.format === 'json') {
      this.records.push(toSeedJsonRecord(frame, summary));
      return;
    }
    const text = this.format === 'ndjson' ? JSON.stringify(toSeedJsonRecord(frame, summary)) + '\n' : formatSeedText(frame, summary);
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
    this.flush();
    if (this.format === 'json') this.write(JSON.stringify(this.records, null, 3) + '\n');
  }
}
