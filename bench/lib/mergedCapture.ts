/**
 * Bench 3's several-container variant: the packets of the generated pcap as a
 * capture of 5 containers records them. Each packet gets a sender and a
 * receiver (its IPv4 addresses rewritten to theirs): 75 % go from one captured
 * container to another and are seen twice (the sender's egress, the receiver's
 * ingress 20-80 µs later; 0.1 % never arrive), the rest go to or come from an
 * address nobody captures and are seen once. The sightings go through the
 * same PacketDeduplicator and `timelineInterfaceName` as a live capture of a
 * Compose project (multiCaptureSession.ts), so the inspector gets the rows it
 * would get: one per packet, named `svc-1/eth0` or `svc-1 -> svc-3/eth0`.
 * Same packets, same count, same filter result as the one-container variant:
 * only the Container column and the row names differ.
 */
import type { PcapRecord } from '../../src/core/pcap/pcapReader';
import { CapturedAddresses } from '../../src/core/timeline/capturedAddresses';
import { frameMicros, type ContainerFrame } from '../../src/core/timeline/containerFrame';
import { PacketDeduplicator } from '../../src/core/timeline/packetDeduplicator';
import { timelineInterfaceName } from '../../src/core/timeline/timelineInterface';
import type { CapturedFrame } from '../../src/core/packet';
import { seededRandom } from './syntheticTraffic';

export const MERGED_CONTAINERS = 5;
const NAMES = Array.from({ length: MERGED_CONTAINERS }, (_, i) => `svc-${i + 1}`);
const IPS = NAMES.map((_, i) => [10, 77, 0, i + 2]);
const OUTSIDE = [10, 77, 1, 9];
/** An ingress copy is stamped at most this much after its egress: older sightings are final. */
const MAX_ARRIVAL_DELAY_US = 80;

export interface MergedFigures {
  sightings: number;
  rows: number;
  paired: number;
  notSeenArriving: number;
}

function withAddresses(data: Uint8Array, src: number[] | undefined, dst: number[] | undefined): Uint8Array {
  const copy = data.slice();
  if (src) copy.set(src, 26);
  if (dst) copy.set(dst, 30);
  return copy;
}

/** Ethernet + IPv4 (what the generated file holds); anything else stays one sighting as it is. */
function isIpv4(data: Uint8Array): boolean {
  return data.length >= 34 && data[12] === 0x08 && data[13] === 0x00 && ((data[14] ?? 0) >> 4) === 4;
}

/**
 * Calls `onRow` with each row of the merged timeline, in time order, as the
 * live capture writes it into its frame batches.
 */
export function mergedCaptureRows(records: Iterable<PcapRecord>, onRow: (frame: CapturedFrame) => void): MergedFigures {
  const random = seededRandom(11);
  const addresses = new CapturedAddresses();
  NAMES.forEach((name, i) => addresses.add((IPS[i] ?? []).join('.'), name));
  let rows = 0;
  let notSeenArriving = 0;
  const dedup = new PacketDeduplicator((packet) => {
    rows++;
    if (packet.delivery?.state === 'not-seen-arriving') notSeenArriving++;
    onRow({ ...packet.frame, interfaceName: timelineInterfaceName(packet) });
  }, { addresses });
  // The five captures' streams merged by time: sightings wait here until no later-made one can precede them.
  let waiting: ContainerFrame[] = [];
  let sightings = 0;
  const see = (container: number, direction: 'in' | 'out', rec: PcapRecord, data: Uint8Array, delayUs: number): void => {
    const at = rec.tsSec * 1e6 + rec.tsUsec + delayUs;
    waiting.push({ container: NAMES[container] ?? '', direction, interfaceName: 'eth0', tsSec: Math.floor(at / 1e6), tsUsec: at % 1e6, linkType: rec.linkType, originalLength: rec.originalLength, data });
    sightings++;
  };
  const release = (beforeUs: number): void => {
    waiting.sort((a, b) => frameMicros(a) - frameMicros(b));
    let n = 0;
    while (n < waiting.length && frameMicros(waiting[n] as ContainerFrame) < beforeUs) dedup.push(waiting[n++] as ContainerFrame);
    waiting = waiting.slice(n);
  };
  for (const rec of records) {
    const from = Math.floor(random() * MERGED_CONTAINERS);
    const kind = random();
    if (!isIpv4(rec.data)) see(from, 'in', rec, rec.data.slice(), 0);
    else if (kind < 0.75) {
      let to = Math.floor(random() * (MERGED_CONTAINERS - 1));
      if (to >= from) to++;
      const data = withAddresses(rec.data, IPS[from], IPS[to]);
      see(from, 'out', rec, data, 0);
      if (random() >= 0.001) see(to, 'in', rec, data.slice(), 20 + Math.floor(random() * (MAX_ARRIVAL_DELAY_US - 20)));
    } else if (kind < 0.875) see(from, 'out', rec, withAddresses(rec.data, IPS[from], OUTSIDE), 0);
    else see(from, 'in', rec, withAddresses(rec.data, OUTSIDE, IPS[from]), 0);
    if (waiting.length >= 4096) release(rec.tsSec * 1e6 + rec.tsUsec - MAX_ARRIVAL_DELAY_US);
  }
  release(Infinity);
  dedup.flushAll();
  return { sightings, rows, paired: dedup.paired, notSeenArriving };
}
