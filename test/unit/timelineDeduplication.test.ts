/**
 * The merged timeline of several containers and its de-duplication rule
 * (src/core/timeline/packetDeduplicator.ts), on frames built byte by byte:
 * each packet between two captured containers is one row naming both ends;
 * retransmissions, identical payloads, lost packets and packets to outsiders
 * come out as a user must see them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapturedAddresses } from '../../src/core/timeline/capturedAddresses';
import type { ContainerFrame, TimelinePacket } from '../../src/core/timeline/containerFrame';
import { addressTextKey, ipAddressKey, ipOffset } from '../../src/core/timeline/ipPacketBytes';
import { deduplicateTimeline, PacketDeduplicator } from '../../src/core/timeline/packetDeduplicator';
import { LiveTimelineMerger, mergeByTime } from '../../src/core/timeline/timelineMerger';
import { asReceived, packetBytes, sighting, type PacketSpec } from './timelineFrames';

const WEB = '172.18.0.2';
const DB = '172.18.0.3';
const OUTSIDER = '172.18.0.9';

function addresses(): CapturedAddresses {
  const a = new CapturedAddresses();
  a.add(WEB, 'web-1');
  a.add(DB, 'db-1');
  return a;
}

/** A packet from web-1 to db-1 seen leaving at `t` and arriving `delay` µs later. */
function bothCopies(spec: Partial<PacketSpec>, t: number, delay = 40): [ContainerFrame, ContainerFrame] {
  const bytes = packetBytes({ src: WEB, dst: DB, ...spec });
  return [sighting('web-1', 'out', t, bytes), sighting('db-1', 'in', t + delay, asReceived(bytes, { checksum: 0xbeef }))];
}

function rows(frames: ContainerFrame[], withAddresses = true): TimelinePacket[] {
  const sorted = mergeByTime([frames.slice().sort((a, b) => a.tsSec * 1e6 + a.tsUsec - (b.tsSec * 1e6 + b.tsUsec))]);
  return deduplicateTimeline(sorted, withAddresses ? { addresses: addresses() } : {});
}

function describeRow(p: TimelinePacket): string {
  const d = p.delivery;
  return `${p.frame.container} ${p.frame.direction}${d ? ` ${d.state} ${d.sentBy}->${d.receivedBy}` : ''}`;
}

describe('timeline merge', () => {
  it('merges per-container streams by capture time, stable on ties', () => {
    const a = [sighting('a', 'out', 10, packetBytes({ src: WEB, dst: DB })), sighting('a', 'out', 30, packetBytes({ src: WEB, dst: DB }))];
    const b = [sighting('b', 'in', 10, packetBytes({ src: WEB, dst: DB })), sighting('b', 'in', 20, packetBytes({ src: WEB, dst: DB }))];
    assert.deepEqual(mergeByTime([a, b]).map((f) => `${f.container}${f.tsUsec}`), ['a10', 'b10', 'b20', 'a30']);
  });

  it('live: holds frames for the window, then emits them in time order', () => {
    const out: string[] = [];
    const m = new LiveTimelineMerger((f) => out.push(`${f.container}${f.tsUsec}`), 1000);
    m.push(sighting('a', 'out', 5000, packetBytes({ src: WEB, dst: DB })));
    m.push(sighting('b', 'in', 4000, packetBytes({ src: WEB, dst: DB })));
    m.flushOlderThan(1_700_000_000 * 1e6 + 5500);
    assert.deepEqual(out, ['b4000']);
    m.flushAll();
    assert.deepEqual(out, ['b4000', 'a5000']);
  });
});

describe('each packet once', () => {
  it('a request and its response between two captured containers are one row each, naming both ends', () => {
    const [reqOut, reqIn] = bothCopies({ payload: 'GET / HTTP/1.1\r\n\r\n', ipId: 1 }, 100);
    const resBytes = packetBytes({ src: DB, dst: WEB, srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 200 OK\r\n\r\n', ipId: 7 });
    const frames = [reqOut, reqIn, sighting('db-1', 'out', 300, resBytes), sighting('web-1', 'in', 340, asReceived(resBytes))];
    const timeline = rows(frames);
    assert.deepEqual(timeline.map(describeRow), ['web-1 out received web-1->db-1', 'db-1 out received db-1->web-1']);
    const first = timeline[0]!;
    assert.equal(first.delivery?.state === 'received' && first.delivery.received, reqIn, 'the row keeps the arrival copy (time, interface)');
  });

  it('without known addresses the rule pairs the same way', () => {
    const [out, arrival] = bothCopies({ payload: 'x', ipId: 3 }, 100);
    assert.deepEqual(rows([out, arrival], false).map(describeRow), ['web-1 out received web-1->db-1']);
  });

  it('a TTL lowered by a hop and a recomputed checksum still match; a changed payload byte does not', () => {
    const bytes = packetBytes({ src: WEB, dst: DB, payload: 'hello', ipId: 9 });
    const routed = asReceived(bytes, { ttl: 63, checksum: 0x1234 });
    assert.equal(rows([sighting('web-1', 'out', 0, bytes), sighting('db-1', 'in', 50, routed)]).length, 1);
    const altered = asReceived(bytes);
    altered[altered.length - 1] = 0x21;
    assert.deepEqual(rows([sighting('web-1', 'out', 0, bytes), sighting('db-1', 'in', 50, altered)]).map(describeRow), ['web-1 out not-seen-arriving web-1->db-1', 'db-1 in']);
  });

  it('a retransmission (same sequence number, new IP ID) is its own row, each paired with its own arrival', () => {
    const [first, firstIn] = bothCopies({ seq: 1000, ipId: 10, payload: 'data' }, 0);
    const [again, againIn] = bothCopies({ seq: 1000, ipId: 11, payload: 'data' }, 200_000);
    const timeline = rows([first, firstIn, again, againIn]);
    assert.deepEqual(timeline.map(describeRow), ['web-1 out received web-1->db-1', 'web-1 out received web-1->db-1']);
    assert.deepEqual(timeline.map((p) => (p.delivery?.state === 'received' ? p.delivery.received.tsUsec : -1)), [40, 200_040]);
  });

  it('a retransmission whose first copy was lost: one row not seen arriving, one received', () => {
    const [first] = bothCopies({ seq: 1000, ipId: 10, payload: 'data' }, 0);
    const [again, againIn] = bothCopies({ seq: 1000, ipId: 11, payload: 'data' }, 210_000);
    assert.deepEqual(rows([first, again, againIn]).map(describeRow), ['web-1 out not-seen-arriving web-1->db-1', 'web-1 out received web-1->db-1']);
  });

  it('identical datagrams (same bytes, IP ID 0) pair first-sent with first-arrived, each once', () => {
    const spec: Partial<PacketSpec> = { protocol: 'udp', dstPort: 53, payload: 'same', ipId: 0 };
    const [a, aIn] = bothCopies(spec, 0, 30);
    const [b, bIn] = bothCopies(spec, 10, 30);
    const [c] = bothCopies(spec, 20, 30);
    const timeline = rows([a, b, c, aIn, bIn]);
    assert.equal(timeline.length, 3);
    assert.deepEqual(timeline.map((p) => (p.delivery?.state === 'received' ? `${p.frame.tsUsec}->${p.delivery.received.tsUsec}` : p.delivery?.state)), ['0->30', '10->40', 'not-seen-arriving']);
  });

  it('with 1,200 copies waiting at once (lists rebuilt as the table grows), identical datagrams still pair first-sent with first-arrived', () => {
    const frames: ContainerFrame[] = [];
    for (let i = 0; i < 600; i++) {
      frames.push(...bothCopies({ protocol: 'udp', dstPort: 53, payload: 'same', ipId: 0 }, 2 * i, 2_000));
      frames.push(...bothCopies({ payload: `tcp ${i}`, ipId: i + 1, seq: i }, 2 * i + 1, 2_000));
    }
    const timeline = rows(frames);
    assert.equal(timeline.length, 1_200);
    const delays = timeline.map((p) => (p.delivery?.state === 'received' ? p.delivery.received.tsUsec - p.frame.tsUsec : p.delivery?.state));
    assert.deepEqual(new Set(delays), new Set([2_000]), 'each departure with its own arrival, in sending order');
  });

  it('a packet to a container nobody captures stays, with no delivery claim, and is not held back', () => {
    const out: TimelinePacket[] = [];
    const dedup = new PacketDeduplicator((p) => out.push(p), { addresses: addresses() });
    dedup.push(sighting('web-1', 'out', 0, packetBytes({ src: WEB, dst: OUTSIDER, payload: 'ping' })));
    assert.equal(out.length, 1, 'released at once');
    assert.equal(out[0]?.delivery, undefined);
  });

  it('a packet sent to a container before its capture ran makes no claim about its arrival', () => {
    const a = new CapturedAddresses();
    a.add(WEB, 'web-1');
    a.add(DB, 'db-1', 1_700_000_000 * 1e6 + 5_000);
    const [early] = bothCopies({ payload: 'early', ipId: 1 }, 1_000);
    const [late, lateIn] = bothCopies({ payload: 'late', ipId: 2 }, 6_000);
    const timeline = deduplicateTimeline([early, late, lateIn], { addresses: a });
    assert.deepEqual(timeline.map(describeRow), ['web-1 out', 'web-1 out received web-1->db-1']);
  });

  it('a container that left: its last packets still pair, later ones to it make no claim', () => {
    const a = addresses();
    a.retire('db-1', 1_700_000_000 * 1e6 + 2_000);
    const [last, lastIn] = bothCopies({ payload: 'last', ipId: 1 }, 1_000);
    const [after] = bothCopies({ payload: 'after', ipId: 2 }, 9_000);
    const timeline = deduplicateTimeline([last, lastIn, after], { addresses: a });
    assert.deepEqual(timeline.map(describeRow), ['web-1 out received web-1->db-1', 'web-1 out']);
  });

  it('a copy that arrives after the window is not paired', () => {
    const [out, late] = bothCopies({ payload: 'slow', ipId: 4 }, 0, 400_000);
    assert.deepEqual(rows([out, late]).map(describeRow), ['web-1 out not-seen-arriving web-1->db-1', 'db-1 in']);
  });

  it('an arrival stamped a microsecond before its departure still pairs (two tcpdumps, one clock)', () => {
    const [out, arrival] = bothCopies({ payload: 'tie', ipId: 5 }, 1000, -1);
    assert.deepEqual(rows([out, arrival]).map(describeRow), ['web-1 out received web-1->db-1']);
  });

  it('egress-only captures expect no arrival', () => {
    const [out] = bothCopies({ payload: 'x', ipId: 2 }, 0);
    const timeline = deduplicateTimeline([out], { addresses: addresses(), expectArrival: false });
    assert.equal(timeline[0]?.delivery, undefined);
  });

  it('traffic inside one container (loopback) and multicast are never paired', () => {
    const lo = packetBytes({ src: '127.0.0.1', dst: '127.0.0.1', payload: 'lo', ipId: 1 });
    const mcast = packetBytes({ src: WEB, dst: '224.0.0.251', protocol: 'udp', payload: 'mdns' });
    const frames = [sighting('web-1', 'out', 0, lo, 'lo'), sighting('web-1', 'in', 1, lo, 'lo'), sighting('web-1', 'out', 10, mcast), sighting('db-1', 'in', 20, mcast)];
    assert.equal(rows(frames, false).length, 4);
  });

  it('rows stay in time order while a departure waits for its arrival', () => {
    const [out, arrival] = bothCopies({ payload: 'a', ipId: 1 }, 0, 100);
    const other = sighting('web-1', 'out', 50, packetBytes({ src: WEB, dst: OUTSIDER, payload: 'b' }));
    const emitted: number[] = [];
    const dedup = new PacketDeduplicator((p) => emitted.push(p.frame.tsUsec), { addresses: addresses() });
    dedup.push(out);
    dedup.push(other);
    assert.deepEqual(emitted, [], 'the later row waits behind the unpaired one');
    dedup.push(arrival);
    assert.deepEqual(emitted, [0, 50]);
  });
});

describe('address keys', () => {
  it('reads addresses from frames as Docker writes them', () => {
    const bytes = packetBytes({ src: WEB, dst: DB });
    const ip = ipOffset(bytes, 1);
    assert.equal(ipAddressKey(bytes, ip, 'dst'), addressTextKey(DB));
    assert.equal(addressTextKey('fd00::2'), 'fd00' + '0'.repeat(24) + '0002');
    assert.equal(addressTextKey('fd00:0:0:0:0:0:0:2'), addressTextKey('fd00::2'));
    assert.equal(addressTextKey('not an address'), undefined);
    assert.equal(addressTextKey('1.2.3.256'), undefined);
  });
});
