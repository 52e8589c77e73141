/**
 * What --tls-keylog adds to the CLI's output: each frame goes through a TlsDecryptor;
 * a frame that completed decrypted application data gets `decrypted_payload` (hex of the
 * plaintext) in JSON/NDJSON and a second hexdump under its own in text, and its Info says
 * what was decrypted (or why a record stayed encrypted).
 *
 * Keys that arrive after their session's packets were printed (a live capture re-reading
 * the key log) still decrypt those packets: -j output, printed at the end, carries them in
 * place; text and NDJSON, already written, get a late entry naming the frame.
 */
import { createHpackDecoder } from '../client/tls/hpackDecoder';
import type { HpackDecoderFactory } from '../core/http2/hpack';
import type { PacketSummary } from '../core/packet';
import { toHex } from '../core/hex';
import { seedHexdumpLines } from '../core/hexdump';
import { withDecryptedInfo } from '../core/tls/decryptedSummary';
import type { TlsCrypto } from '../core/tls/tlsCrypto';
import { TlsDecryptor } from '../core/tls/tlsDecryptor';

/** A late decryption, for text and NDJSON output (1-based frame numbers, as tshark counts). */
export interface LateDecryption {
  frame: number;
  /** The frame's decrypted application data; undefined when the new keys opened only handshake records. */
  plaintext: Uint8Array | undefined;
}

export class TlsPrinting {
  readonly decryptor: TlsDecryptor;
  private readonly lateFrames = new Set<number>();
  private lateScheduled = false;
  private onLate: (late: LateDecryption[]) => void = () => undefined;

  constructor(crypto: TlsCrypto, hpack: HpackDecoderFactory = createHpackDecoder) {
    this.decryptor = new TlsDecryptor(crypto, {
      hpack,
      onUpdate: (record) => {
        if (record.status !== 'decrypted') return;
        this.lateFrames.add(record.frameIndex);
        if (this.lateScheduled) return;
        this.lateScheduled = true;
        // One entry per frame, however many of its records the new keys opened.
        queueMicrotask(() => this.deliverLate());
      },
    });
  }

  /** Where late decryptions go (the printer). */
  setLateHandler(handler: (late: LateDecryption[]) => void): void {
    this.onLate = handler;
  }

  /** Adds key log text (a whole file or what was appended); returns one line per bad key log line. */
  addKeyLog(text: string, label: string, end = false): string[] {
    return this.decryptor.addKeyLog(text, end).map((p) => `${label} line ${p.line}: ${p.reason}`);
  }

  /** Feeds frame `index` (0-based); returns its summary with TLS info and its decrypted data. */
  frame(index: number, data: Uint8Array, linkType: number, summary: PacketSummary): { summary: PacketSummary; decrypted: Uint8Array | undefined; notDecrypted: string | undefined } {
    this.decryptor.addFrame(index, data, linkType);
    const records = this.decryptor.recordsOf(index);
    if (!records) return { summary, decrypted: undefined, notDecrypted: undefined };
    return {
      summary: withDecryptedInfo(summary, records),
      decrypted: this.decryptor.decryptedPayload(index),
      notDecrypted: records.find((r) => r.status === 'encrypted')?.reason,
    };
  }

  /** A frame's summary with what its TLS records say now (after late keys too). */
  summaryOf(index: number, summary: PacketSummary): PacketSummary {
    return withDecryptedInfo(summary, this.decryptor.recordsOf(index));
  }

  /** The decrypted data of a frame now (after late keys too). */
  decryptedOf(index: number): Uint8Array | undefined {
    return this.decryptor.decryptedPayload(index);
  }

  finish(): void {
    this.decryptor.finish();
    this.deliverLate();
  }

  private deliverLate(): void {
    this.lateScheduled = false;
    if (this.lateFrames.size === 0) return;
    const late: LateDecryption[] = [];
    for (const index of [...this.lateFrames].sort((a, b) => a - b)) {
      late.push({ frame: index + 1, plaintext: this.decryptor.decryptedPayload(index) });
    }
    this.lateFrames.clear();
    if (late.length > 0) this.onLate(late);
  }
}

/** The text block under a frame's own hexdump. */
export function decryptedTextLines(plaintext: Uint8Array): string[] {
  return [`Decrypted TLS (${plaintext.length} bytes):`, ...seedHexdumpLines(plaintext)];
}

/** A late decryption as text: which frame, then its decrypted data. */
export function lateDecryptionText(frame: number, plaintext: Uint8Array): string {
  return [`Frame ${frame}: decrypted TLS, keys arrived later (${plaintext.length} bytes):`, ...seedHexdumpLines(plaintext)].join('\n') + '\n';
}

/** A late decryption as an NDJSON line. */
export function lateDecryptionJson(frame: number, plaintext: Uint8Array): string {
  return JSON.stringify({ type: 'tls_decrypted', frame, decrypted_payload: toHex(plaintext) }) + '\n';
}
