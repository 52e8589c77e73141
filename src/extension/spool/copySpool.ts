/**
 * "Save as pcap" of a spooled capture: the first `snapshot.pcapBytes` bytes of
 * the spool are the file to save (records appended later are left out, so the
 * copy never ends in a half-written record). Streamed, so saving a spool larger
 * than memory works. No `vscode` here.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { SpoolSnapshot } from './spoolFile';

export async function copySpoolTo(snapshot: SpoolSnapshot, targetPath: string): Promise<void> {
  if (snapshot.pcapBytes === 0) throw new Error('the spool is empty');
  await pipeline(createReadStream(snapshot.path, { start: 0, end: snapshot.pcapBytes - 1 }), createWriteStream(targetPath));
}

/** The same bytes in memory, for a save target that is not a local file. */
export async function readSpoolBytes(snapshot: SpoolSnapshot): Promise<Uint8Array> {
  const file = await open(snapshot.path, 'r');
  try {
    const bytes = new Uint8Array(snapshot.pcapBytes);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await file.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) throw new Error('the spool is shorter than expected');
      offset += bytesRead;
    }
    return bytes;
  } finally {
    await file.close();
  }
}
