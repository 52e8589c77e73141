/**
 * Loads the TLS files of a tcp endpoint before the first request, so a missing or
 * unreadable file is one clear line naming it (instead of a handshake failure later).
 * Rules of the docker CLI: with verification the CA is required; a client certificate
 * is used when cert.pem is there, and then key.pem must be there too.
 */
import * as fs from 'node:fs';
import { CaptureError } from '../protocol/captureErrors';
import type { TlsFiles } from './dockerEndpoint';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  verify: boolean;
}

export function loadTlsMaterial(files: TlsFiles, endpointText: string, readFile: (p: string) => Buffer = fs.readFileSync): TlsMaterial {
  const read = (file: string, required: boolean): Buffer | undefined => {
    try {
      return readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !required) return undefined;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by you' : `cannot be read (${code ?? String(e)})`;
      throw new CaptureError('docker-unreachable', `TLS for ${endpointText}: ${file} ${why}; it comes from ${files.origin}: put ca.pem, cert.pem and key.pem there (or point DOCKER_CERT_PATH at them).`);
    }
  };
  const ca = read(files.caPath, files.verify);
  const cert = read(files.certPath, false);
  const key = read(files.keyPath, cert !== undefined);
  if (key !== undefined && cert === undefined) {
    throw new CaptureError('docker-unreachable', `TLS for ${endpointText}: ${files.keyPath} has no ${files.certPath} beside it (from ${files.origin}).`);
  }
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), verify: files.verify };
}
