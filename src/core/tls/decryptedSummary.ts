/**
 * What a packet list row says once TLS is decrypted: the HTTP/2 frames completed in the
 * packet (protocol HTTP2, Info as Wireshark writes it: `HEADERS[1]: GET /path`), or the
 * HTTP request or status line found in the decrypted data (protocol HTTP, as over plain
 * TCP), otherwise what was decrypted;
 * for records that stayed encrypted, why. Pure, so the CLI and the inspector say the same.
 */
import { decodeHttp } from '../decode/application';
import { http2Info } from '../http2/http2Frame';
import type { PacketSummary } from '../packet';
import { CONTENT_TYPE_NAMES, ContentType, type TlsRecord } from './tlsRecord';

/** `summary` with protocol and Info from the frame's TLS records; unchanged when there are none. */
export function withDecryptedInfo(summary: PacketSummary, records: readonly TlsRecord[] | undefined): PacketSummary {
  if (!records || records.length === 0) return summary;
  const decrypted = records.filter((r) => r.status === 'decrypted');
  const http2 = decrypted.flatMap((r) => r.http2 ?? []);
  if (http2.length > 0) return { ...summary, protocol: 'HTTP2', info: `${http2Info(http2)} [decrypted TLS]` };
  for (const r of decrypted) {
    if (r.innerType !== ContentType.applicationData || !r.plaintext) continue;
    const http = decodeHttp(r.plaintext, 0, r.plaintext.length, undefined);
    if (http) return { ...summary, protocol: 'HTTP', info: `${http.info} [decrypted TLS]` };
  }
  if (decrypted.length > 0) {
    const parts = decrypted.map((r) => `${CONTENT_TYPE_NAMES[r.innerType] ?? `Content type ${r.innerType}`} (${r.plaintext?.length ?? 0} bytes)`);
    return { ...summary, info: `${parts.join(', ')} [decrypted TLS]` };
  }
  const reason = records.find((r) => r.status === 'encrypted')?.reason;
  return reason ? { ...summary, info: `${summary.info} [not decrypted: ${reason}]` } : summary;
}
