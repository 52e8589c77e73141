/**
 * A large local capture file in the inspector without holding it: the file is
 * read in chunks only while the webview keeps up (the connection's flow
 * control holds the source), each chunk's packets go out as one `frames`
 * message and are indexed, and the webview asks for a packet's bytes again by
 * number when it no longer has them (`bytesOnDemand`). The extension host so
 * keeps 12 bytes a packet plus what is in flight, whatever the file's size.
 * No `vscode`.
 */
import type { CaptureStatus } from '../../protocol/webviewMessages';
import { InspectorModelBase, type FrameBytesSource } from '../capture/inspectorModel';
import { IndexedFileReader } from './indexedFileReader';

/** Frame bytes the webview keeps before it asks the host for them again. */
export const WEBVIEW_BYTE_CACHE = 64 * 1024 * 1024;

/** What the webview can no longer do over every packet: said once, in the status line. */
export const BIG_FILE_NOTICE = 'large file: packet bytes are read from the file on demand; filters on packet contents, sorting by Info, Follow Stream, conversations, TLS decryption and Save see only the packets whose bytes are in memory';

export class StreamedFileCapture extends InspectorModelBase implements FrameBytesSource {
  readonly live = false;
  readonly container = undefined;
  readonly bytesOnDemand: FrameBytesSource = this;
  readonly cacheBytes: number;
  /** Bumped by each restart: a read loop of an older generation stops. */
  private generation = 0;
  private resume: (() => void) | undefined;
  private disposed = false;

  constructor(
    title: string,
    private readonly reader: IndexedFileReader,
    private readonly log: (message: string) => void = () => undefined,
    cacheBytes = WEBVIEW_BYTE_CACHE,
  ) {
    super(title, 1, { state: 'file', message: `reading ${title}… — ${BIG_FILE_NOTICE}` });
    this.cacheBytes = cacheBytes;
  }

  /** No pcap record is shorter than its 16-byte header, so this many packets at most. */
  get packetCeiling(): number {
    return Math.max(1, Math.ceil(this.reader.fileSize / 16));
  }

  /** Packets indexed so far. */
  get packetCount(): number {
    return this.reader.index.size;
  }

  /** Streams the file from its first packet (a webview page just said it is ready). */
  restart(): void {
    const generation = ++this.generation;
    this.setStatus({ state: 'file', message: `reading ${this.title}… — ${BIG_FILE_NOTICE}` });
    this.reader.rewind().then(() => this.pump(generation)).catch((e: unknown) => {
      if (generation !== this.generation) return;
      const why = e instanceof Error ? e.message : String(e);
      this.log(`Reading ${this.reader.path} failed: ${why}`);
      this.setStatus({ state: 'error', message: `cannot read ${this.title}: ${why}` });
    });
  }

  readPackets(numbers: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    return this.reader.readPackets(numbers);
  }

  async stop(): Promise<void> {
    // Nothing runs but the read, which a closed tab ends through dispose.
  }

  override dispose(): void {
    this.disposed = true;
    this.generation++;
    this.resume?.();
    void this.reader.close().catch(() => undefined);
    super.dispose();
  }

  protected override sourceHeld(held: boolean): void {
    if (!held) {
      const resume = this.resume;
      this.resume = undefined;
      resume?.();
    }
  }

  private async pump(generation: number): Promise<void> {
    const started = Date.now();
    for (;;) {
      while (this.gate.held && generation === this.generation) await new Promise<void>((resolve) => (this.resume = resolve));
      if (generation !== this.generation || this.disposed) return;
      const chunk = await this.reader.next();
      if (generation !== this.generation || this.disposed) return;
      if (!chunk) break;
      if (chunk.packets > 0) this.framesEmitter.fire(chunk.batch);
    }
    const count = this.reader.index.size;
    const problem = this.reader.problem;
    this.log(`Opened ${this.reader.path}: ${count} packets streamed in ${Date.now() - started} ms${problem ? ` (${problem})` : ''}`);
    const status: Partial<CaptureStatus> = { state: 'file', message: `${count.toLocaleString('en-US')} packets from ${this.title}${problem ? ` — ${problem}` : ''} — ${BIG_FILE_NOTICE}` };
    this.setStatus(status);
  }
}
