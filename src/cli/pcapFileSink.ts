/**
 * `-w FILE`: every captured frame also goes to a pcap file Wireshark opens.
 * The file is opened as root, before the drop, by openCaptureFile (which
 * says what it refuses and why); this sink only writes to that descriptor.
 */
import { closeSync, writeSync } from 'node:fs';
import { LinkType, type CapturedFrame } from '../core/packet';
import { pcapGlobalHeader, pcapRecordBytes } from '../core/pcap/pcapWriter';

export class PcapFileSink {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private skippedLinkTypes = new Set<number>();

  /** `writeHeader`: false when the process that opened the file has already written it. */
  constructor(private readonly fd: number, private readonly snapLength: number, private readonly warn: (message: string) => void, writeHeader = true) {
    if (writeHeader) this.push(pcapGlobalHeader(LinkType.ETHERNET, snapLength));
    this.flush();
  }

  add(frame: CapturedFrame): void {
    // Every interface this tool captures on is Ethernet (loopback too); a
    // frame of another type cannot share the file's single link type.
    if (frame.linkType !== LinkType.ETHERNET) {
      if (!this.skippedLinkTypes.has(frame.linkType)) this.warn(`-w: frames of link type ${frame.linkType} are not written`);
      this.skippedLinkTypes.add(frame.linkType);
      return;
    }
    this.push(pcapRecordBytes(frame, this.snapLength));
    if (this.buffered > 256 * 1024) this.flush();
  }

  flush(): void {
    for (const c of this.chunks) writeSync(this.fd, c);
    this.chunks = [];
    this.buffered = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.buffered += bytes.length;
  }
}
