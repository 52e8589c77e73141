/** What the decryptor says about one TLS record; the shape every consumer (CLI, inspector) reads. */
import type { Http2Frame } from '../http2/http2Frame';

/**
 * `clear`: sent unencrypted (hellos, certificates in TLS 1.2, alerts before keys);
 * `decrypted`: opened and authenticated; `encrypted`: could not be opened, `reason` says why.
 */
export type TlsRecordStatus = 'clear' | 'decrypted' | 'encrypted';

export const ContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23, heartbeat: 24 } as const;

export const CONTENT_TYPE_NAMES: Readonly<Record<number, string>> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};

export interface TlsRecord {
  /** The TCP stream (TcpStream.index). */
  readonly stream: number;
  readonly fromClient: boolean;
  /** The frame that brought the record's last byte: where the record is shown. */
  readonly frameIndex: number;
  /** Content type in the record header (TLS 1.3 says 23 for everything protected). */
  readonly type: number;
  /** Payload length in the record header. */
  readonly length: number;
  status: TlsRecordStatus;
  /** Content type inside: for TLS 1.3 known only once decrypted; otherwise `type`. */
  innerType: number;
  /** The decrypted content (status `decrypted` only). */
  plaintext: Uint8Array | undefined;
  reason: string | undefined;
  /** The HTTP/2 frames this record's plaintext completed (decrypted h2 connections only). */
  http2?: Http2Frame[];
}
