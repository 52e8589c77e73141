/**
 * The printer's end of --tls-keylog on the root path: key log text arrives on descriptor 8
 * from the key log reader (keyLogReader.ts, a process of the user's); this confined process
 * only parses it. The first whole key log ends with a NUL: it is read before the first
 * packet, so sessions whose keys are already logged print decrypted in place.
 */
import { Socket } from 'node:net';
import { nodeTlsCrypto } from '../client/tls/nodeTlsCrypto';
import { TlsPrinting } from './tlsPrinting';

export interface PrinterKeyLog {
  printing: TlsPrinting;
  /** End of the capture: a last line without its newline counts. */
  finish(): void;
}

export function followKeyLogPipe(fd: number, label: string, warn: (message: string) => void): Promise<PrinterKeyLog> {
  const printing = new TlsPrinting(nodeTlsCrypto);
  const add = (text: string, end = false): void => {
    for (const problem of printing.addKeyLog(text, label, end)) warn(problem);
  };
  const input = new Socket({ fd, readable: true, writable: false });
  input.setEncoding('utf8');
  const result: PrinterKeyLog = { printing, finish: () => add('', true) };
  return new Promise((resolve) => {
    let first = true;
    input.on('data', (text: string) => {
      if (!first) return add(text);
      const marker = text.indexOf('\0');
      add(marker >= 0 ? text.slice(0, marker) + text.slice(marker + 1) : text);
      if (marker >= 0) {
        first = false;
        resolve(result);
      }
    });
    input.on('error', () => undefined);
    input.on('close', () => {
      if (first) resolve(result);
      else warn(`${label}: no longer followed (the key log reader ended)`);
    });
  });
}
