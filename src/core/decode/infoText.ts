/**
 * The TCP and UDP Info lines, built from cached pieces. A line such as
 * `41004 → 9000 [PSH, ACK] Seq=1741702388 Ack=2239590375 Win=502 Len=1448` was a
 * dozen string concatenations and number conversions, most of the cost of listing a
 * packet (bench 1: summarize() at ~3x summarizeColumns()). A capture's packets repeat
 * their ports, flags, windows and lengths, so those pieces come from small
 * direct-mapped caches (a slot keeps the key it was made for; a miss just rebuilds
 * it), and a line is three or four concatenations. The text is exactly the same.
 */
import { shortText, uint32Text } from './bytes';
import { TCP_FLAG_TEXT } from './names';

const SLOTS = 4096;

/** `SRC → DST [FLAGS] Seq=` by (ports, flags). */
const tcpHeadKey = new Float64Array(SLOTS).fill(-1);
const tcpHeadText = new Array<string>(SLOTS).fill('');
/** ` Win=W Len=L` by (window, length). */
const tailKey = new Float64Array(SLOTS).fill(-1);
const tailText = new Array<string>(SLOTS).fill('');
/** ` Ack=N` by acknowledgment number (a bulk flow's ACKs repeat it). */
const ackKey = new Float64Array(SLOTS).fill(-1);
const ackText = new Array<string>(SLOTS).fill('');
/** `SRC → DST Len=` by ports. */
const udpHeadKey = new Float64Array(SLOTS).fill(-1);
const udpHeadText = new Array<string>(SLOTS).fill('');

function slotOf(a: number, b: number): number {
  return (Math.imul(a ^ (b << 7) ^ (b >>> 9), 0x9e3779b1) >>> 20) & (SLOTS - 1);
}

export function tcpInfo(srcPort: number, dstPort: number, flags: number, seq: number, ack: number, window: number, payloadLength: number): string {
  const ports = srcPort * 65536 + dstPort;
  let slot = slotOf(ports, flags);
  let key = ports * 512 + flags;
  let head = tcpHeadText[slot]!;
  if (tcpHeadKey[slot] !== key) {
    head = `${shortText(srcPort)} → ${shortText(dstPort)} ${TCP_FLAG_TEXT[flags] ?? ''} Seq=`;
    tcpHeadKey[slot] = key;
    tcpHeadText[slot] = head;
  }
  slot = slotOf(window, payloadLength);
  key = window * 4294967296 + (payloadLength >>> 0);
  let tail = tailText[slot]!;
  if (tailKey[slot] !== key) {
    tail = ` Win=${shortText(window)} Len=${shortText(payloadLength)}`;
    tailKey[slot] = key;
    tailText[slot] = tail;
  }
  if ((flags & 0x10) === 0) return head + uint32Text(seq) + tail;
  slot = slotOf(ack, ack >>> 16);
  let ackPart = ackText[slot]!;
  if (ackKey[slot] !== ack) {
    ackPart = ` Ack=${uint32Text(ack)}`;
    ackKey[slot] = ack;
    ackText[slot] = ackPart;
  }
  return head + uint32Text(seq) + ackPart + tail;
}

export function udpInfo(srcPort: number, dstPort: number, payloadLength: number): string {
  const ports = srcPort * 65536 + dstPort;
  const slot = slotOf(ports, 0);
  let head = udpHeadText[slot]!;
  if (udpHeadKey[slot] !== ports) {
    head = `${shortText(srcPort)} → ${shortText(dstPort)} Len=`;
    udpHeadKey[slot] = ports;
    udpHeadText[slot] = head;
  }
  return head + shortText(payloadLength);
}
