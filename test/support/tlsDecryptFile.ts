/** Runs the decryptor over a whole pcap file: what the tests compare with tshark. */
import { readFileSync } from 'node:fs';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import { ContentType, type TlsRecord } from '../../src/core/tls/tlsRecord';

export interface DecryptedCapture {
  decryptor: TlsDecryptor;
  records: TlsRecord[];
  /** Application data each side sent, in order (decrypted records only). */
  client: Buffer;
  server: Buffer;
}

export function decryptCapture(pcapBytes: Uint8Array, keyLogText: string | undefined): DecryptedCapture {
  const file = readPcapFile(pcapBytes);
  const decryptor = new TlsDecryptor(nodeTlsCrypto);
  if (keyLogText !== undefined) decryptor.addKeyLog(keyLogText, true);
  file.records.forEach((r, i) => decryptor.addFrame(i, r.data, r.linkType));
  decryptor.finish();
  const records = file.records.flatMap((_, i) => [...(decryptor.recordsOf(i) ?? [])]);
  return { decryptor, records, ...applicationData(records) };
}

export function applicationData(records: readonly TlsRecord[]): { client: Buffer; server: Buffer } {
  const pick = (fromClient: boolean): Buffer =>
    Buffer.concat(records.filter((r) => r.fromClient === fromClient && r.status === 'decrypted' && r.innerType === ContentType.applicationData).map((r) => r.plaintext as Uint8Array));
  return { client: pick(true), server: pick(false) };
}

export function decryptFiles(pcap: string, keyLog: string | undefined): DecryptedCapture {
  return decryptCapture(readFileSync(pcap), keyLog === undefined ? undefined : readFileSync(keyLog, 'utf8'));
}
