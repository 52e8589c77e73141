/**
 * A spool that is only read: the one of a tab restored after a window reload.
 * Nothing appends to it any more; it can be saved, cleared and deleted.
 */
import { stat, truncate } from 'node:fs/promises';
import { sidecarPathOf, type SpoolFile, type SpoolSnapshot } from './spoolFile';
import { removeSpool } from './spoolFolder';

export class StoredSpool implements SpoolFile {
  constructor(
    readonly path: string,
    /** Packets in the file; set once it has been read. */
    public packets: number,
  ) {}

  async snapshot(): Promise<SpoolSnapshot | undefined> {
    const info = await stat(this.path).catch(() => undefined);
    if (!info) return undefined;
    return { path: this.path, pcapBytes: info.size, packets: this.packets };
  }

  async clear(): Promise<void> {
    this.packets = 0;
    await truncate(this.path, 0).catch(() => undefined);
    await truncate(sidecarPathOf(this.path), 0).catch(() => undefined);
  }

  delete(): Promise<void> {
    return removeSpool(this.path);
  }
}
