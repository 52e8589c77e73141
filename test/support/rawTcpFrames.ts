/**
 * Raw IPv4 TCP frames (link type RAW) for pcaps whose TCP analysis tshark checks, and for
 * the inspector fed the same frames: whole exchanges with a retransmission, written with
 * the project's pcap writer.
 */
import { LinkType, type CapturedFrame } from '../../src/core/packet';
import { pcapGlobalHeader, pcapRecordBytes } from '../../src/core/pcap/pcapWriter';

export const SYN = 0x02;
export const ACK = 0x10;
export const PSH_ACK = 0x18;
export const FIN_ACK = 0x11;
export const SYN_ACK = 0x12;

/** A raw IPv4 TCP frame (checksums zero: tshark does not check them by default). */
export function tcpFrame(src: number[], srcPort: number, dst: number[], dstPort: number, seq: number, ack: number, flags: number, payload: number): Uint8Array {
  const data = new Uint8Array(40 + payload);
  data.set([0x45, 0, (40 + payload) >> 8, (40 + payload) & 0xff, 0, 0, 0x40, 0, 64, 6, 0, 0, ...src, ...dst]);
  data.set([srcPort >> 8, srcPort & 0xff, dstPort >> 8, dstPort & 0xff, seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff,
    ack >>> 24, (ack >>> 16) & 0xff, (ack >>> 8) & 0xff, ack & 0xff, 0x50, flags, 0x72, 0x10, 0, 0, 0, 0], 20);
  data.fill(0x61, 40);
  return data;
}

/** Captured frames on a clock that advances by the gap given with each frame. */
export class RawPcapRecords {
  readonly frames: CapturedFrame[] = [];
  private usec = 0;

  write(data: Uint8Array, gapUsec = 10): void {
    this.usec += gapUsec;
    this.frames.push({ tsSec: 1_700_000_000 + Math.floor(this.usec / 1e6), tsUsec: this.usec % 1e6, interfaceName: 'eth0', direction: 'in', linkType: LinkType.RAW, originalLength: data.length, data });
  }

  /** The frames as a pcap file (link type RAW). */
  pcap(): Buffer {
    return Buffer.concat([pcapGlobalHeader(LinkType.RAW), ...this.frames.map((frame) => pcapRecordBytes(frame))]);
  }

  /**
   * A whole exchange from client:port to server:80: handshake, `request` bytes, the same
   * bytes again half a second later with nothing acknowledged between (a retransmission),
   * `response` bytes, FINs. `c` and `s`: the initial sequence numbers.
   */
  exchange(client: number[], port: number, server: number[], c: number, s: number, request: number, response: number): void {
    this.write(tcpFrame(client, port, server, 80, c, 0, SYN, 0));
    this.write(tcpFrame(server, 80, client, port, s, c + 1, SYN_ACK, 0), 200);
    this.write(tcpFrame(client, port, server, 80, c + 1, s + 1, ACK, 0), 200);
    this.write(tcpFrame(client, port, server, 80, c + 1, s + 1, PSH_ACK, request));
    this.write(tcpFrame(client, port, server, 80, c + 1, s + 1, PSH_ACK, request), 500_000);
    this.write(tcpFrame(server, 80, client, port, s + 1, c + 1 + request, PSH_ACK, response), 200);
    this.write(tcpFrame(client, port, server, 80, c + 1 + request, s + 1 + response, FIN_ACK, 0));
    this.write(tcpFrame(server, 80, client, port, s + 1 + response, c + 2 + request, FIN_ACK, 0), 200);
  }
}
