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

/**
 * Pieces of text by a numeric key, direct-mapped. A piece is kept only when its key comes
 * the second time in its slot: where keys never repeat (a scan, random ports, every
 * packet a new flow) a kept piece was garbage that lived on in the cache, and the
 * collector copied thousands of them at each young-generation collection: on bench 1's
 * many-flows file, summaries ran ~15 % slower than with nothing kept. A flow's packets
 * repeat their keys, so the second one keeps the piece for the rest.
 */
class PieceCache {
  private readonly keys = new Float64Array(SLOTS).fill(-1);
  private readonly texts = new Array<string>(SLOTS).fill('');
  /** The last key that missed in each slot (a number: nothing kept alive). */
  private readonly missed = new Float64Array(SLOTS).fill(-1);

  get(slot: number, key: number): string | undefined {
    return this.keys[slot] === key ? this.texts[slot] : undefined;
  }

  /** A piece just built for a key that missed: kept if that key missed in this slot last time too. */
  offer(slot: number, key: number, text: string): void {
    if (this.missed[slot] === key) {
      this.keys[slot] = key;
      this.texts[slot] = text;
    } else {
      this.missed[slot] = key;
    }
  }
}

/** `SRC → DST [FLAGS] Seq=` by (ports, flags). */
const tcpHeads = new PieceCache();
/** ` Win=W Len=L` by (window, length). */
const tails = new PieceCache();
/** ` Ack=N` by acknowledgment number (a bulk flow's ACKs repeat it). */
const acks = new PieceCache();
/** `SRC → DST Len=` by ports. */
const udpHeads = new PieceCache();

function slotOf(a: number, b: number): number {
  return (Math.imul(a ^ (b << 7) ^ (b >>> 9), 0x9e3779b1) >>> 20) & (SLOTS - 1);
}

export function tcpInfo(srcPort: number, dstPort: number, flags: number, seq: number, ack: number, window: number, payloadLength: number): string {
  const ports = srcPort * 65536 + dstPort;
  let slot = slotOf(ports, flags);
  let key = ports * 512 + flags;
  let head = tcpHeads.get(slot, key);
  if (head === undefined) {
    head = `${shortText(srcPort)} → ${shortText(dstPort)} ${TCP_FLAG_TEXT[flags] ?? ''} Seq=`;
    tcpHeads.offer(slot, key, head);
  }
  slot = slotOf(window, payloadLength);
  key = window * 4294967296 + (payloadLength >>> 0);
  let tail = tails.get(slot, key);
  if (tail === undefined) {
    tail = ` Win=${shortText(window)} Len=${shortText(payloadLength)}`;
    tails.offer(slot, key, tail);
  }
  if ((flags & 0x10) === 0) return head + uint32Text(seq) + tail;
  slot = slotOf(ack, ack >>> 16);
  let ackPart = acks.get(slot, ack);
  if (ackPart === undefined) {
    ackPart = ` Ack=${uint32Text(ack)}`;
    acks.offer(slot, ack, ackPart);
  }
  return head + uint32Text(seq) + ackPart + tail;
}

export function udpInfo(srcPort: number, dstPort: number, payloadLength: number): string {
  const ports = srcPort * 65536 + dstPort;
  const slot = slotOf(ports, 0);
  let head = udpHeads.get(slot, ports);
  if (head === undefined) {
    head = `${shortText(srcPort)} → ${shortText(dstPort)} Len=`;
    udpHeads.offer(slot, ports, head);
  }
  return head + shortText(payloadLength);
}
