/**
 * TLS decryption for one inspector tab, in the extension host: the tab's frames (those in
 * memory, then each new batch) go through a TlsDecryptor fed from a key log; what changed
 * per packet goes to the webview as `tlsDecryption` messages. During a live capture the key
 * log is followed: keys that arrive later decrypt the earlier packets of their session too.
 *
 * Only the decrypted data and the reasons leave this class: key log text stays in the
 * decryptor, and the tab's store (what Save writes) is never touched. No `vscode` here.
 */
import { forEachFrame } from '../../core/frameBatch';
import type { HpackDecoderFactory } from '../../core/http2/hpack';
import type { PacketSummary } from '../../core/packet';
import { withDecryptedInfo } from '../../core/tls/decryptedSummary';
import type { TlsCrypto } from '../../core/tls/tlsCrypto';
import { TlsDecryptor } from '../../core/tls/tlsDecryptor';
import type { TlsRecord } from '../../core/tls/tlsRecord';
import type { TlsFrameDecryption, ToWebviewMessage } from '../../protocol/webviewMessages';
import { KeyLogFollower } from '../../client/tls/keyLogFollower';
import type { KeyLogSource } from '../../client/tls/keyLogSource';
import type { Subscription } from '../capture/emitter';
import type { InspectorModel } from '../capture/inspectorModel';

export interface TlsDecryptionHost {
  post(message: ToWebviewMessage): void;
  /** A bad key log line, or a key log that could no longer be read. */
  warn(message: string): void;
  /** Opens the key log afresh (at the start, and again after the tab was cleared). */
  openSource(): KeyLogSource;
}

/** The row's Info/protocol from the records alone: the webview keeps its own for the rest. */
const NO_SUMMARY: PacketSummary = { src: '', dst: '', protocol: '', info: '', payloadOffset: 0, payloadLength: 0 };

/** What the webview is told about a packet with TLS records; undefined when there is nothing to say. */
// The plaintext is copied: the decryptor's may be a view into a larger buffer, and postMessage
// would carry (or mangle) the whole of it.
export function frameDecryption(number: number, records: readonly TlsRecord[], plaintext: Uint8Array | undefined): TlsFrameDecryption | undefined {
  if (records.some((r) => r.status === 'decrypted')) {
    const summary = withDecryptedInfo(NO_SUMMARY, records);
    const http2 = records.flatMap((r) => r.http2 ?? []);
    return {
      number, info: summary.info, ...(summary.protocol ? { protocol: summary.protocol } : {}),
      ...(plaintext ? { plaintext: Uint8Array.from(plaintext) } : {}),
      ...(http2.length > 0 ? { http2 } : {}),
    };
  }
  const reason = records.find((r) => r.status === 'encrypted')?.reason;
  return reason ? { number, notDecrypted: reason } : undefined;
}

export class TabTlsDecryption {
  private decryptor: TlsDecryptor | undefined;
  private follower: KeyLogFollower | undefined;
  /** Batches waiting to be fed, with the index of their first frame; fed a batch per turn so the host stays responsive. */
  private queue: { batch: Uint8Array; first: number }[] = [];
  private nextIndex = 0;
  private pumping = false;
  private readonly changed = new Set<number>();
  private flushScheduled = false;
  /**
   * Frame indexes with something to say, to send again after the page reloads (the state
   * itself is made again from the decryptor: the plaintext is not held twice).
   */
  private readonly known = new Set<number>();
  /** Frames before this index were dropped from the tab's store; their records are forgotten too. */
  private forgottenBefore = 0;
  private readonly subscriptions: Subscription[] = [];
  private disposed = false;
  /** Resolves when every frame known so far was fed (tests wait for it). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly model: InspectorModel,
    private readonly crypto: TlsCrypto,
    private readonly host: TlsDecryptionHost,
    readonly keyLogLabel: string,
    private readonly hpack?: HpackDecoderFactory,
  ) {}

  /** Reads the key log (rejects with a one-line reason, e.g. a missing file), then decrypts the tab. */
  async start(): Promise<void> {
    await this.restart();
    this.subscriptions.push(
      this.model.onDidAddFrames((batch) => this.enqueue(batch)),
      this.model.onDidClear(() => void this.restart().catch((e: unknown) => this.host.warn(e instanceof Error ? e.message : String(e)))),
      this.model.onDidChangeStatus((status) => {
        if (status.state === 'ended' || status.state === 'error') this.whenIdle().then(() => this.endOfCapture(), () => undefined);
      }),
    );
  }

  /** Sends every packet's state again (the webview reloaded and forgot it). */
  resend(): void {
    const frames: TlsFrameDecryption[] = [];
    for (const index of [...this.known].sort((a, b) => a - b)) {
      const state = this.stateAt(index);
      if (state) frames.push(state);
    }
    this.host.post({ type: 'tlsDecryption', reset: true, keyLog: this.keyLogLabel, frames });
  }

  /** The latest state of a packet (tests). */
  stateOf(number: number): TlsFrameDecryption | undefined {
    return this.known.has(number - 1) ? this.stateAt(number - 1) : undefined;
  }

  private stateAt(index: number): TlsFrameDecryption | undefined {
    const decryptor = this.decryptor;
    return decryptor ? frameDecryption(index + 1, decryptor.recordsOf(index) ?? [], decryptor.decryptedPayload(index)) : undefined;
  }

  whenIdle(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subscriptions) s.dispose();
    this.follower?.stop();
    this.queue = [];
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** A fresh decryptor over what the store holds now (numbering continues after dropped packets). */
  private async restart(): Promise<void> {
    this.follower?.stop();
    this.follower = undefined;
    const decryptor = new TlsDecryptor(this.crypto, { hpack: this.hpack, onUpdate: (record) => this.markChanged(record.frameIndex) });
    const source = this.host.openSource();
    const follower = new KeyLogFollower(source, decryptor, (m) => this.host.warn(m));
    try {
      await follower.readNow();
    } catch (error) {
      source.close();
      throw error;
    }
    this.decryptor = decryptor;
    this.follower = follower;
    this.known.clear();
    this.changed.clear();
    this.queue = [];
    this.nextIndex = this.model.store.droppedFromMemory;
    this.forgottenBefore = this.nextIndex;
    this.resend();
    if (this.model.live) follower.follow();
    for (const batch of this.model.store.batches()) this.enqueue(batch);
    if (!this.model.live) void this.whenIdle().then(() => this.endOfCapture());
  }

  private endOfCapture(): void {
    if (this.disposed) return;
    this.follower?.endOfInput();
    this.decryptor?.finish();
  }

  private enqueue(batch: Uint8Array): void {
    if (this.disposed) return;
    let count = 0;
    forEachFrame(batch, () => count++);
    this.queue.push({ batch, first: this.nextIndex });
    this.nextIndex += count;
    if (!this.pumping) {
      this.pumping = true;
      setImmediate(() => this.pump());
    }
  }

  private pump(): void {
    const decryptor = this.decryptor;
    const next = this.queue.shift();
    if (next && decryptor && !this.disposed) {
      let index = next.first;
      forEachFrame(next.batch, (frame) => {
        decryptor.addFrame(index, frame.data, frame.linkType);
        if (decryptor.recordsOf(index)) this.markChanged(index);
        index++;
      });
    }
    if (this.queue.length > 0 && !this.disposed) {
      setImmediate(() => this.pump());
      return;
    }
    this.pumping = false;
    this.forgetDropped();
    this.flush();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * The tab's store drops its oldest packets past maxMemoryMB: their decrypted data goes
   * too, so decryption holds at most the plaintext of the packets the tab still holds.
   */
  private forgetDropped(): void {
    const dropped = this.model.store.droppedFromMemory;
    if (dropped <= this.forgottenBefore) return;
    this.decryptor?.forgetBefore(dropped);
    for (const index of this.known) if (index < dropped) this.known.delete(index);
    for (const index of this.changed) if (index < dropped) this.changed.delete(index);
    this.forgottenBefore = dropped;
  }

  private markChanged(frameIndex: number): void {
    this.changed.add(frameIndex);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Late keys update many records at once: one message for all of them.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const decryptor = this.decryptor;
    if (!decryptor || this.changed.size === 0 || this.disposed) return;
    const frames: TlsFrameDecryption[] = [];
    for (const index of [...this.changed].sort((a, b) => a - b)) {
      const state = frameDecryption(index + 1, decryptor.recordsOf(index) ?? [], decryptor.decryptedPayload(index));
      if (!state) continue;
      this.known.add(index);
      frames.push(state);
    }
    this.changed.clear();
    if (frames.length > 0) this.host.post({ type: 'tlsDecryption', keyLog: this.keyLogLabel, frames });
  }
}
