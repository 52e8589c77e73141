/**
 * Writes a live capture's spool: every frame batch is appended to a pcap file
 * (and its sidecar) in the extension's storage, in coalesced writes: batches
 * are encoded as they arrive and written at most every FLUSH_INTERVAL_MS or
 * once FLUSH_BYTES are pending, never one fs call per packet. Files are 0600
 * in a 0700 folder: packets can hold secrets. No `vscode` here.
 *
 * A failing write (disk full) stops the spool, not the capture: the packets
 * stay in memory and "Save as pcap" falls back to those.
 *
 * Past `maxBytes` (pcap and sidecar together) the spool stops growing and says
 * so once (`onDidCap`). It stops rather than rotating: a spool is one pcap file
 * whose promise is "every packet from the start"; dropping its beginning would
 * mean rewriting the file, and what is kept would silently start somewhere in
 * the middle. Stopped, it stays a valid file of the first packets, and the
 * notice says how many.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Emitter } from '../capture/emitter';
import { safeFileStem, timestampForFileName } from '../save/captureFileName';
import { SpoolEncoder } from './spoolFormat';
import { sidecarPathOf, type SpoolFile, type SpoolSnapshot } from './spoolFile';

const FLUSH_INTERVAL_MS = 250;
const FLUSH_BYTES = 1024 * 1024;

export type SpoolLogger = (level: 'warn' | 'debug', message: string) => void;

export interface SpoolOptions {
  /** Names the file; default now. */
  now?: Date;
  /** Size cap of pcap + sidecar; default none. */
  maxBytes?: number;
}

/** Where a spool stopped growing. */
export interface SpoolCap {
  /** Packets in the spool (the first ones of the capture). */
  packets: number;
  /** The cap, in bytes. */
  bytes: number;
}

export class CaptureSpool implements SpoolFile {
  private readonly encoder = new SpoolEncoder();
  private pendingPcap: Uint8Array[] = [];
  private pendingSidecar: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingPackets = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Every file operation runs in this order, one after the other. */
  private chain: Promise<void> = Promise.resolve();
  private writtenBytes = 0;
  private writtenPackets = 0;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Bytes (pcap + sidecar) written or queued: what the cap is checked against. */
  private spooledBytes = 0;
  /** Bytes handed to a write that has not finished yet. */
  private writingBytes = 0;
  /** Packets of the flushes under way: neither pending nor written yet, but in the file once they end. */
  private writingPackets = 0;
  private cap: SpoolCap | undefined;
  private readonly capEmitter = new Emitter<SpoolCap>();
  /** Fires once when the spool reaches its size cap (again after a clear). */
  readonly onDidCap = this.capEmitter.event;

  private constructor(
    readonly path: string,
    private readonly pcapFile: FileHandle,
    private readonly sidecarFile: FileHandle,
    private readonly log: SpoolLogger,
    private readonly maxBytes: number,
  ) {}

  /** A new spool in `folder` (which must exist, see spoolFolder.ts), named after the container. */
  static async create(folder: string, containerName: string, log: SpoolLogger, options: SpoolOptions = {}): Promise<CaptureSpool> {
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    const name = `${safeFileStem(containerName)}-${timestampForFileName(options.now ?? new Date())}-${randomBytes(4).toString('hex')}.pcap`;
    const path = join(folder, name);
    // 'ax': created here (never an existing file or a planted symlink), appends only.
    const pcapFile = await open(path, 'ax', 0o600);
    try {
      const sidecarFile = await open(sidecarPathOf(path), 'ax', 0o600);
      return new CaptureSpool(path, pcapFile, sidecarFile, log, maxBytes);
    } catch (e) {
      await pcapFile.close();
      await rm(path, { force: true });
      throw e;
    }
  }

  /** Packets handed to the spool so far (written or about to be). */
  get packets(): number {
    return this.writtenPackets + this.writingPackets + this.pendingPackets;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Set once the spool stopped growing at its cap. */
  get capped(): SpoolCap | undefined {
    return this.cap;
  }

  /** Bytes accepted but not on disk yet: a capture holds its source while this is large (a slow disk). */
  get backlogBytes(): number {
    return this.pendingBytes + this.writingBytes;
  }

  /** Pcap plus sidecar bytes written or queued; never more than the cap. */
  get byteLength(): number {
    return this.spooledBytes;
  }

  /** Queues a frameBatch; written with the next flush. */
  append(batch: Uint8Array): void {
    if (this.failure || this.closing || this.cap || batch.length === 0) return;
    let encoded;
    try {
      encoded = this.encoder.encode(batch);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (encoded.skipped > 0) this.log('debug', `spool: ${encoded.skipped} frames of another link type are not in the pcap spool`);
    if (encoded.pcap.length === 0) return;
    const size = encoded.pcap.length + encoded.sidecar.length;
    if (this.spooledBytes + size > this.maxBytes) {
      this.cap = { packets: this.packets, bytes: this.maxBytes };
      this.log('warn', `The capture spool ${this.path} reached its size cap (${this.maxBytes} bytes) at ${this.cap.packets} packets; later packets are not written to it.`);
      this.capEmitter.fire(this.cap);
      return;
    }
    this.spooledBytes += size;
    this.pendingPcap.push(encoded.pcap);
    this.pendingSidecar.push(encoded.sidecar);
    this.pendingBytes += encoded.pcap.length;
    this.pendingPackets += encoded.packets;
    if (this.pendingBytes >= FLUSH_BYTES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Writes what is pending; resolves once it is on disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingPcap.length === 0) return this.chain;
    // The encoded pieces go to the file as they are (writev): no second copy of every packet.
    const pcap = this.pendingPcap;
    const sidecar = this.pendingSidecar;
    const packets = this.pendingPackets;
    const pcapBytes = this.pendingBytes;
    const size = pcapBytes + byteLengthOf(sidecar);
    this.pendingPcap = [];
    this.pendingSidecar = [];
    this.pendingBytes = 0;
    this.pendingPackets = 0;
    this.writingBytes += size;
    this.writingPackets += packets;
    const written = this.enqueue(async () => {
      await writeAll(this.pcapFile, pcap);
      await writeAll(this.sidecarFile, sidecar);
      this.writtenBytes += pcapBytes;
      this.writtenPackets += packets;
    });
    // Also when the step was skipped or failed: a backlog that never shrinks would hold the capture forever.
    return written.finally(() => {
      this.writingBytes -= size;
      this.writingPackets -= packets;
    });
  }

  async snapshot(): Promise<SpoolSnapshot | undefined> {
    await this.flush();
    if (this.failure) return undefined;
    return { path: this.path, pcapBytes: this.writtenBytes, packets: this.writtenPackets };
  }

  clear(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pendingPcap = [];
    this.pendingSidecar = [];
    this.pendingBytes = 0;
    this.pendingPackets = 0;
    this.spooledBytes = 0;
    this.cap = undefined;
    return this.enqueue(async () => {
      if (this.closing) {
        // The capture ended and the files are closed: only the path is left to empty.
        await truncate(this.path, 0);
        await truncate(sidecarPathOf(this.path), 0);
      } else {
        // Opened for appending: after truncating, the next write lands at 0 with a new header.
        await this.pcapFile.truncate(0);
        await this.sidecarFile.truncate(0);
      }
      this.encoder.reset();
      this.writtenBytes = 0;
      this.writtenPackets = 0;
    });
  }

  /** Flushes and closes the files (the capture ended); they stay for saving and for a reload. */
  close(): Promise<void> {
    this.closing ??= this.flush()
      .then(() => this.enqueue(async () => {
        await this.pcapFile.close();
        await this.sidecarFile.close();
      }, true));
    return this.closing;
  }

  async delete(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.path, { force: true });
    await rm(sidecarPathOf(this.path), { force: true });
  }

  private enqueue(step: () => Promise<void>, evenIfFailed = false): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.failure && !evenIfFailed) return;
      try {
        await step();
      } catch (e) {
        this.fail(e);
      }
    });
    return this.chain;
  }

  private fail(e: unknown): void {
    if (this.failure) return;
    this.failure = e instanceof Error ? e : new Error(String(e));
    this.pendingPcap = [];
    this.pendingSidecar = [];
    this.pendingBytes = 0;
    this.pendingPackets = 0;
    this.log('warn', `The capture spool ${this.path} stopped (${this.failure.message}); packets are kept in memory only from now on.`);
  }
}

/** Most pieces one writev takes (IOV_MAX on Linux). */
const WRITEV_PIECES = 1024;

/** Writes the pieces in order with writev, resuming after a short write. */
async function writeAll(file: FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  let rest = pieces.filter((p) => p.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev(rest.slice(0, WRITEV_PIECES));
    rest = afterWritten(rest, bytesWritten);
  }
}

/** The pieces left once `written` bytes from their start are on disk (the first one cut as a view). */
function afterWritten(pieces: readonly Uint8Array[], written: number): Uint8Array[] {
  let k = 0;
  while (k < pieces.length && written >= (pieces[k]?.length ?? 0)) written -= pieces[k++]?.length ?? 0;
  const rest = pieces.slice(k);
  const first = rest[0];
  if (first && written > 0) rest[0] = first.subarray(written);
  return rest;
}

function byteLengthOf(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}
