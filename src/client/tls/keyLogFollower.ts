/**
 * Keeps a TlsDecryptor's key log current: reads the source once, then (for a live capture)
 * every second, feeding only what was appended. Sessions waiting for keys are decrypted as
 * soon as their lines appear. Problems (bad lines, an unreadable source) are reported once
 * each through `warn`, never thrown.
 */
import type { TlsDecryptor } from '../../core/tls/tlsDecryptor';
import type { KeyLogSource } from './keyLogSource';

const POLL_MS = 1000;

export class KeyLogFollower {
  private consumed = '';
  private timer: NodeJS.Timeout | undefined;
  private lastError = '';
  private reading = false;

  constructor(
    private readonly source: KeyLogSource,
    private readonly decryptor: TlsDecryptor,
    private readonly warn: (message: string) => void,
  ) {}

  /** Reads what is there now. Rejects only when the very first read fails. */
  async readNow(): Promise<void> {
    const text = await this.source.read();
    this.feed(text);
  }

  /** No more text will come: a last line without its newline counts now. */
  endOfInput(): void {
    for (const p of this.decryptor.addKeyLog('', true)) this.warn(`${this.source.label} line ${p.line}: ${p.reason}`);
  }

  /** Re-reads every second until `stop()`. */
  follow(): void {
    this.timer ??= setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** Stops re-reading; a last line without its newline counts. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.endOfInput();
    this.source.close();
  }

  private async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      this.feed(await this.source.read());
      this.lastError = '';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastError) this.warn(message);
      this.lastError = message;
    } finally {
      this.reading = false;
    }
  }

  private feed(text: string): void {
    // A key log only grows; if it was replaced, read it again from the start (same keys are harmless).
    const added = text.startsWith(this.consumed) ? text.slice(this.consumed.length) : text;
    this.consumed = text;
    if (added === '') return;
    for (const p of this.decryptor.addKeyLog(added)) this.warn(`${this.source.label} line ${p.line}: ${p.reason}`);
  }
}
