/**
 * Which opened files are streamed instead of read whole: local pcap/pcapng
 * files from BIG_FILE_BYTES up. Smaller ones (and saved JSON, and files of
 * other schemes) keep the whole-file path, which also serves every feature
 * from memory. No `vscode`.
 */
import { stat } from 'node:fs/promises';
import { IndexedFileReader } from './indexedFileReader';
import { StreamedFileCapture } from './streamedFileCapture';

/** 256 MiB: about 800 k packets of a typical capture, which the whole-file path still holds comfortably. */
export const BIG_FILE_BYTES = 256 * 1024 * 1024;

/** A streamed model for `path` when it is a pcap/pcapng at least `threshold` bytes long; undefined otherwise. */
export async function openStreamedFile(path: string, title: string, log: (message: string) => void, threshold = BIG_FILE_BYTES): Promise<StreamedFileCapture | undefined> {
  if (/\.json$/i.test(path)) return undefined;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    // The whole-file path reports why it cannot be read.
    return undefined;
  }
  if (size < threshold) return undefined;
  const reader = await IndexedFileReader.open(path);
  log(`Opening ${path} (${Math.round(size / (1024 * 1024))} MB) streamed: packet bytes are read again on demand`);
  return new StreamedFileCapture(title, reader, log);
}
