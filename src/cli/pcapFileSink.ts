/**
 * `-w FILE`: every captured frame also goes to a pcap file Wireshark opens.
 * The file is opened as root, before the drop, by openCaptureFile (which
 * says what it refuses and why); this sink only writes to that descriptor.
 */
import { FdBatchWriter } from './fdBatchWriter';
import { LinkType, type CapturedFrame } from '../core/packet';
import { pcapGlobalHeader, pcapRecordBytes } from '../core/pcap/pcapWriter';

export class PcapFileSink {
  private readonly out: FdBatchWriter;
  private skippedLinkTypes = new Set<number>();

  /** `writeHeader`: false when the process that opened the file has already written it. */
  constructor(fd: number, private readonly snapLength: number, private readonly warn: (message: string) => void, writeHeader = true) {
    this.out = new FdBatchWriter(fd);
    if (writeHeader) this.out.push(pcapGlobalHeader(LinkType.ETHERNET, snapLength));
    this.out.flush();
  }

  add(frame: CapturedFrame): void {
    // Every interface this tool captures on is Ethernet (loopback too); a
    // frame of another type cannot share the file's single link type.
    if (frame.linkType !== LinkType.ETHERNET) {
      if (!this.skippedLinkTypes.has(frame.linkType)) this.warn(`-w: frames of link type ${frame.linkType} are not written`);
      this.skippedLinkTypes.add(frame.linkType);
      return;
    }
    this.out.push(pcapRecordBytes(frame, this.snapLength));
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.close();
  }
}
