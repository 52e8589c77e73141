/**
 * Reads a pcap or pcapng file as a stream: fixed-size reads fed to the core's
 * CaptureFileStreamReader, so memory is one chunk (plus one record split across two
 * chunks) whatever the file's size. A record's data is a view into its chunk
 * (a fresh buffer per read, never reused), valid as long as the caller keeps it.
 *
 * The caller consumes each chunk's records before asking for the next one, and
 * may wait in between (stdout backpressure): reading simply pauses.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureFileStreamReader } from '../core/pcap/captureFileStreamReader';
import type { PcapRecord, PcapStreamError } from '../core/pcap/pcapReader';

/** 1 MiB: large enough that a read's cost vanishes, small against the 200 MB budget. */
export const FILE_CHUNK_BYTES = 1024 * 1024;

export class PcapFileOpenError extends Error {}

export interface PcapFileStream {
  /** Each call gives the records the next chunk completed (possibly none); undefined at the end. */
  next(): Promise<PcapRecord[] | undefined>;
  /** Why reading stopped early, once `next()` returned undefined: unsupported format, malformed, or a truncated last record. */
  readonly error: PcapStreamError | undefined;
  /** True once the file's header was read: it is a capture file. */
  readonly started: boolean;
  close(): Promise<void>;
}

/** Opens `path`; a file that cannot be opened or read throws PcapFileOpenError with the system's code. */
export async function openPcapFile(path: string, chunkBytes = FILE_CHUNK_BYTES): Promise<PcapFileStream> {
  const why = (err: unknown): PcapFileOpenError => new PcapFileOpenError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw why(err);
  }
  const reader = new CaptureFileStreamReader();
  let error: PcapStreamError | undefined;
  let done = false;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const next = async (): Promise<PcapRecord[] | undefined> => {
    if (done) return undefined;
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(chunk, 0, chunkBytes, null));
    } catch (err) {
      await close();
      throw why(err);
    }
    if (bytesRead === 0) {
      done = true;
      error = reader.end();
      await close();
      return undefined;
    }
    const result = reader.push(chunk.subarray(0, bytesRead));
    if (result.error) {
      // A malformed stream stops here; the records before the bad one are still given.
      done = true;
      error = result.error;
      await close();
    }
    return result.records;
  };
  return {
    next,
    get error() {
      return error;
    },
    get started() {
      return reader.started;
    },
    close,
  };
}
