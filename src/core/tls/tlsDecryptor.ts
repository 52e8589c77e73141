/**
 * TLS decryption of a capture: frames in (in capture order), TLS records out, tagged with
 * the frame that completed them. TCP streams are reassembled; a stream whose first bytes
 * look like a TLS record gets a TlsSession. Key log text can be added at any time: sessions
 * waiting for those keys are decrypted at once, their earlier records included, and
 * `onUpdate` tells which records changed (a live view refreshes those rows).
 */
import type { HpackDecoderFactory } from '../http2/hpack';
import { Http2Stream } from '../http2/http2Stream';
import { TcpReassembler, type StreamData } from '../stream/tcpReassembler';
import { tcpSegmentOf } from '../stream/tcpSegment';
import { KeyLog, type KeyLogProblem } from './keyLog';
import { looksLikeRecordHeader } from './recordFramer';
import type { TlsCrypto } from './tlsCrypto';
import { ContentType, type TlsRecord } from './tlsRecord';
import { TlsSession, WaitingBudget } from './tlsSession';

export interface TlsDecryptorOptions {
  /** Keep every record per frame for `recordsOf` (default true); a bench that only counts turns it off. */
  retainRecords?: boolean;
  /** Each record as it is framed. */
  onRecord?: (record: TlsRecord) => void;
  /** A record that was waiting for keys was decrypted (or given up). */
  onUpdate?: (record: TlsRecord) => void;
  /** HPACK for HTTP/2 header blocks; without it h2 frames are listed with their headers undecoded. */
  hpack?: HpackDecoderFactory;
  /** Ciphertext kept for all connections together while their keys are missing (default 64 MiB). */
  maxWaitingBytes?: number;
}

export class TlsDecryptor {
  readonly keyLog = new KeyLog();
  private readonly reassembler = new TcpReassembler((d) => this.onStreamData(d));
  /** By stream index; null: the stream is not TLS. */
  private readonly sessions = new Map<number, TlsSession | null>();
  private readonly byClientRandom = new Map<string, TlsSession[]>();
  private readonly records = new Map<number, TlsRecord[]>();
  /** By stream index: the client's and the server's HTTP/2 bytes (each decides whether it is h2). */
  private readonly http2 = new Map<number, [Http2Stream, Http2Stream]>();
  private readonly retain: boolean;
  private readonly budget: WaitingBudget;

  constructor(
    private readonly crypto: TlsCrypto,
    private readonly options: TlsDecryptorOptions = {},
  ) {
    this.retain = options.retainRecords ?? true;
    this.budget = new WaitingBudget(options.maxWaitingBytes);
  }

  /**
   * Forgets the records (and their plaintext) of frames before `frameIndex`: the caller
   * dropped those packets (a live capture past its memory budget). Records are kept in
   * the order of their frames, so this stops at the first one it keeps.
   */
  forgetBefore(frameIndex: number): void {
    for (const index of this.records.keys()) {
      if (index >= frameIndex) break;
      this.records.delete(index);
    }
  }

  /** Adds key log text (a whole file, or what was appended since); returns the new problems. */
  addKeyLog(text: string, end = false): KeyLogProblem[] {
    const before = this.keyLog.problems.length;
    for (const random of this.keyLog.add(text, end)) {
      for (const session of this.byClientRandom.get(random) ?? []) session.retry();
    }
    return this.keyLog.problems.slice(before);
  }

  /** Feeds one captured frame; `index` is its position in the capture (0-based). */
  addFrame(index: number, data: Uint8Array, linkType: number): void {
    const segment = tcpSegmentOf(data, linkType);
    if (segment) this.reassembler.add(index, segment);
  }

  /** End of input: delivers data held behind holes that never filled. */
  finish(): void {
    this.reassembler.flush();
  }

  /** The TLS records completed in a frame, in order. */
  recordsOf(frameIndex: number): readonly TlsRecord[] | undefined {
    return this.records.get(frameIndex);
  }

  /** The decrypted application data completed in a frame (records joined), if any. */
  decryptedPayload(frameIndex: number): Uint8Array | undefined {
    const parts = (this.records.get(frameIndex) ?? []).filter((r) => r.status === 'decrypted' && r.innerType === ContentType.applicationData && r.plaintext);
    if (parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0]?.plaintext;
    const out = new Uint8Array(parts.reduce((n, r) => n + (r.plaintext?.length ?? 0), 0));
    let at = 0;
    for (const r of parts) {
      out.set(r.plaintext as Uint8Array, at);
      at += r.plaintext?.length ?? 0;
    }
    return out;
  }

  private onStreamData(d: StreamData): void {
    let session = this.sessions.get(d.stream.index);
    if (session === undefined) {
      // Decided on the first bytes seen: TLS starts with a record header on either side.
      session = d.offset === 0 && d.gapBefore === 0 && d.bytes.length >= 3 && looksLikeRecordHeader(d.bytes) ? this.newSession(d) : null;
      this.sessions.set(d.stream.index, session);
    }
    session?.onData(d.side, d.bytes, d.frameIndex, d.gapBefore);
  }

  /** Feeds decrypted application data, in order, to the connection's HTTP/2 decoder. */
  private onSettled(record: TlsRecord): void {
    let pair = this.http2.get(record.stream);
    if (!pair) {
      pair = [new Http2Stream(true, this.options.hpack), new Http2Stream(false, this.options.hpack)];
      this.http2.set(record.stream, pair);
    }
    const h2 = pair[record.fromClient ? 0 : 1];
    if (h2.done) return;
    if (record.status !== 'decrypted') {
      h2.gap(record.reason ?? 'a record could not be decrypted');
    } else if (record.innerType === ContentType.applicationData && record.plaintext && record.plaintext.length > 0) {
      const frames = h2.push(record.plaintext);
      if (frames.length > 0) record.http2 = frames;
    }
  }

  private newSession(d: StreamData): TlsSession {
    const session: TlsSession = new TlsSession(d.stream, this.crypto, this.keyLog, {
      record: (record) => {
        if (this.retain) {
          const list = this.records.get(record.frameIndex);
          if (list) list.push(record);
          else this.records.set(record.frameIndex, [record]);
        }
        this.options.onRecord?.(record);
      },
      updated: (record) => this.options.onUpdate?.(record),
      settled: (record) => this.onSettled(record),
      clientRandom: (random) => {
        const list = this.byClientRandom.get(random);
        if (list) list.push(session);
        else this.byClientRandom.set(random, [session]);
      },
    }, this.budget);
    return session;
  }
}
