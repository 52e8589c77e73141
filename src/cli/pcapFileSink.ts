/**
 * `-w FILE`: every captured frame also goes to a pcap file Wireshark opens.
 * The file is opened as root (before the drop) and handed to the invoking
 * user, so `sudo docker-network-capture -w x.pcap` leaves a file they own.
 */
import { chownSync, closeSync, constants, openSync, writeSync } from 'node:fs';
import { LinkType, type CapturedFrame } from '../core/packet';
import { pcapGlobalHeader, pcapRecordBytes } from '../core/pcap/pcapWriter';

export class PcapFileSink {
  private readonly fd: number;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private skippedLinkTypes = new Set<number>();

  constructor(path: string, private readonly snapLength: number, private readonly warn: (message: string) => void) {
    // Overwrites like tcpdump -w, but never through a symlink: root must not be
    // steered into truncating a file elsewhere.
    this.fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    const uid = Number(process.env.SUDO_UID ?? process.env.PKEXEC_UID ?? NaN);
    const gid = Number(process.env.SUDO_GID ?? NaN);
    if (Number.isInteger(uid)) {
      try {
        chownSync(path, uid, Number.isInteger(gid) ? gid : -1);
      } catch {
        // keep root's ownership; the file is still written
      }
    }
    this.push(pcapGlobalHeader(LinkType.ETHERNET, snapLength));
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
