/**
 * `-w FILE` in either format: classic pcap (PcapFileSink), or pcapng when the
 * name ends in `.pcapng`, which also keeps the container and interface of each
 * frame (one interface description per container/interface, `web-1/eth0`) and
 * its direction. Like PcapFileSink, it only writes to a descriptor opened
 * elsewhere (openCaptureFile, which says what it refuses and why).
 */
import type { CapturedFrame } from '../core/packet';
import { pcapGlobalHeader } from '../core/pcap/pcapWriter';
import { pcapngSectionHeader, PcapngWriter } from '../core/pcap/pcapngWriter';
import { LinkType } from '../core/packet';
import { FdBatchWriter } from './fdBatchWriter';
import { PcapFileSink } from './pcapFileSink';

export type CaptureFileFormat = 'pcap' | 'pcapng';

export function captureFileFormat(path: string): CaptureFileFormat {
  return /\.pcapng$/i.test(path) ? 'pcapng' : 'pcap';
}

/** What the process that opens the file writes first, before any frame. */
export function captureFileHeader(format: CaptureFileFormat, snapLength: number): Uint8Array {
  return format === 'pcapng' ? pcapngSectionHeader() : pcapGlobalHeader(LinkType.ETHERNET, snapLength);
}

export interface CaptureFileSink {
  add(frame: CapturedFrame & { container?: string }): void;
  close(): void;
}

export class PcapngFileSink implements CaptureFileSink {
  private readonly out: FdBatchWriter;
  private readonly writer: PcapngWriter;

  /** `writeHeader`: false when the process that opened the file has already written it. */
  constructor(fd: number, snapLength: number, writeHeader = true) {
    this.out = new FdBatchWriter(fd);
    this.writer = new PcapngWriter(snapLength);
    if (writeHeader) this.out.push(pcapngSectionHeader());
    this.out.flush();
  }

  add(frame: CapturedFrame & { container?: string }): void {
    // pcapng holds any link type: each interface says its own.
    for (const block of this.writer.frameBlocks(frame)) this.out.push(block);
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.close();
  }
}

export function captureFileSink(format: CaptureFileFormat, fd: number, snapLength: number, warn: (message: string) => void, writeHeader = true): CaptureFileSink {
  return format === 'pcapng' ? new PcapngFileSink(fd, snapLength, writeHeader) : new PcapFileSink(fd, snapLength, warn, writeHeader);
}
