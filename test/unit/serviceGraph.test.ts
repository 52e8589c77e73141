/**
 * The service map's model on real captures (test/fixtures): the endpoints, the services
 * between them with packets and bytes, which side is the server, and that the filter a
 * click applies selects exactly the packets an edge or node counts (tshark agrees).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { compileFilter } from '../../src/core/filter/index';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PacketStore } from '../../src/core/packetStore';
import { edgeFilter, isGroupAddress, nodeFilter, ServiceGraph, serviceLabel, type ServiceEdge } from '../../src/core/stream/serviceGraph';
import { circleLayout, edgeCurve } from '../../src/core/stream/serviceGraphLayout';
import { StreamTable } from '../../src/core/stream/streamTable';
import { tshark } from '../support/streamOracle';
import { oracleMissing } from './oracle';

const FIXTURES = join(__dirname, '..', 'fixtures');
const BRIDGE = join(FIXTURES, 'docker-bridge.pcap');

function records(path: string): ReturnType<typeof readPcapFile>['records'] {
  return readPcapFile(readFileSync(path)).records;
}

function storeOf(recs: ReturnType<typeof records>, maxPackets = 100_000): PacketStore {
  const store = new PacketStore({ maxPackets, summarize, summarizeColumns });
  for (const r of recs) append(store, r);
  return store;
}

function append(store: PacketStore, r: ReturnType<typeof records>[number]): void {
  store.append({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: '', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data });
}

function graphOf(store: PacketStore): ServiceGraph {
  const graph = new ServiceGraph(store, new StreamTable(store));
  graph.update();
  return graph;
}

/** An edge as one line a reader can check against the capture by eye. */
function line(e: ServiceEdge): string {
  return `${e.client} -> ${e.server} ${e.protocol} ${serviceLabel(e)} ${e.packets}p ${e.bytes}B ${e.conversations}c`;
}

function matching(store: PacketStore, filter: string): number {
  const compiled = compileFilter(filter, { hostnames: {} });
  assert.ok(compiled.ok && compiled.predicate, `${filter} compiles`);
  let count = 0;
  for (let row = 0; row < store.size; row++) if (compiled.predicate(store.columns, store.slot(row), store.numberOf(row))) count++;
  return count;
}

describe('ServiceGraph', () => {
  it('docker-bridge.pcap: HTTP from .11 to .10 on tcp/80, the pings, the IPv6 pair; multicast groups marked', () => {
    const graph = graphOf(storeOf(records(BRIDGE)));
    const edges = graph.edges.map(line).sort();
    // Frames 23-34: the HTTP conversation (tshark: 12 frames, 1,116 bytes); 17-18 the ping; 20-22 NA, echo request, reply.
    assert.ok(edges.includes('172.30.99.11 -> 172.30.99.10 HTTP tcp/80 12p 1116B 1c'), edges.join('\n'));
    assert.ok(edges.includes('172.30.99.11 -> 172.30.99.10 ICMP icmp 2p 196B 0c'), edges.join('\n'));
    assert.ok(edges.includes('fd00:dc::10 -> fd00:dc::11 ICMPv6 icmpv6 3p 322B 0c'), 'the first sender of a portless protocol is its client');
    const nodes = new Map(graph.nodes.map((n) => [n.address, n]));
    assert.equal(nodes.get('172.30.99.10')?.packets, 14);
    assert.equal(nodes.get('172.30.99.10')?.group, false);
    assert.equal(nodes.get('ff02::16')?.group, true);
    assert.ok(![...nodes.keys()].some((a) => /^02:42/.test(a)), 'ARP (MAC addresses) is not on the map');
  });

  it('the filter of every edge and node selects exactly the packets it counts', () => {
    const store = storeOf(records(BRIDGE));
    const graph = graphOf(store);
    for (const e of graph.edges) assert.equal(matching(store, edgeFilter(e)), e.packets, edgeFilter(e));
    for (const n of graph.nodes) assert.equal(matching(store, nodeFilter(n.address)), n.packets, nodeFilter(n.address));
  });

  it('tshark reads the same filters and selects the same packets', { skip: oracleMissing('tshark') }, () => {
    const graph = graphOf(storeOf(records(BRIDGE)));
    const filters = [...graph.edges.map((e) => [edgeFilter(e), e.packets, e.bytes] as const), ...graph.nodes.map((n) => [nodeFilter(n.address), n.packets, n.bytes] as const)];
    // One tshark run counts every filter: -z io,stat, one interval over the whole file, a column per filter.
    const out = tshark(['-r', BRIDGE, '-q', '-z', `io,stat,0,${filters.map(([f]) => f).join(',')}`]);
    const cells = /^\|\s*[\d.]+\s*<>\s*[\d.]+\s*\|(.*)$/m.exec(out)?.[1]?.split('|').map((c) => c.trim()).filter((c) => c !== '').map(Number);
    assert.ok(cells, out);
    assert.deepEqual(cells, filters.flatMap(([, packets, bytes]) => [packets, bytes]), filters.map(([f]) => f).join('\n'));
  });

  it('without the handshake the lower port is the server, even when the server speaks first', () => {
    // From frame 28 (the server's first data segment to the client) on.
    const graph = graphOf(storeOf(records(BRIDGE).slice(27, 34)));
    assert.deepEqual(graph.edges.map(line), ['172.30.99.11 -> 172.30.99.10 HTTP tcp/80 7p 685B 1c']);
  });

  it('loopback DNS: one node, a udp/53 edge to itself with every query and answer', () => {
    const store = storeOf(records(join(FIXTURES, 'loopback-dns.pcap')));
    const graph = graphOf(store);
    assert.deepEqual(graph.nodes.map((n) => n.address), ['127.0.0.1']);
    const dns = graph.edges.filter((e) => e.port === 53);
    assert.equal(dns.length, 1);
    assert.equal(dns[0]?.protocol, 'DNS');
    assert.equal(dns[0]?.packets, matching(store, 'udp.port == 53'));
    assert.equal(edgeFilter(dns[0] as ServiceEdge), 'ip.addr == 127.0.0.1 && udp.port == 53');
  });

  it('live: reading in steps gives what reading at once gives; a cleared store starts over', () => {
    const recs = records(BRIDGE);
    const store = storeOf([]);
    const graph = new ServiceGraph(store, new StreamTable(store));
    assert.equal(graph.update(), false, 'nothing to read');
    for (const [i, r] of recs.entries()) {
      append(store, r);
      if (i % 5 === 0) graph.update();
    }
    graph.update();
    assert.deepEqual(graph.edges.map(line).sort(), graphOf(storeOf(recs)).edges.map(line).sort());
    assert.equal(graph.update(), false, 'no new packets, nothing changed');
    store.clear();
    for (const r of recs.slice(16, 18)) append(store, r);
    assert.equal(graph.update(), true);
    assert.deepEqual(graph.edges.map(line), ['172.30.99.11 -> 172.30.99.10 ICMP icmp 2p 196B 0c']);
  });

  it('packets dropped from memory before they were read are not counted', () => {
    // A store of 10 holds frames 29-38: the end of the HTTP conversation (29-34) and four ICMPv6 reports.
    const graph = graphOf(storeOf(records(BRIDGE), 10));
    assert.equal(graph.edges.reduce((sum, e) => sum + e.packets, 0), 10);
    assert.equal(graph.edges.find((e) => e.port === 80)?.packets, 6);
  });
});

describe('isGroupAddress', () => {
  it('IPv4 multicast and broadcast, IPv6 multicast; hosts are not groups', () => {
    assert.deepEqual(['224.0.0.251', '239.1.1.1', '255.255.255.255', 'ff02::1', 'FF05::2'].map(isGroupAddress), [true, true, true, true, true]);
    assert.deepEqual(['172.17.0.2', '223.255.255.255', '240.0.0.1', 'fd00::1', '::'].map(isGroupAddress), [false, false, false, false, false]);
  });
});

describe('service map layout', () => {
  it('nodes on a circle: the same for the same count, inside the box, apart from each other', () => {
    const points = circleLayout(7, 1000, 700, 90);
    assert.deepEqual(points, circleLayout(7, 1000, 700, 90));
    assert.deepEqual(points[0], { x: 500, y: 90 }, 'the first at the top');
    for (const p of points) assert.ok(p.x >= 90 && p.x <= 910 && p.y >= 90 && p.y <= 610, JSON.stringify(p));
    assert.equal(new Set(points.map((p) => `${p.x},${p.y}`)).size, 7);
    assert.deepEqual(circleLayout(1, 1000, 700, 90), [{ x: 500, y: 350 }]);
  });

  it('parallel edges bend apart, a single one is straight, a self-loop rises above its node', () => {
    const a = { x: 100, y: 100 };
    const b = { x: 500, y: 100 };
    assert.match(edgeCurve(a, b, 0, 1, 20, 30).path, /^M 120 100 L 480 100$/);
    const labels = [0, 1, 2].map((i) => edgeCurve(a, b, i, 3, 20, 30).label.y);
    assert.equal(new Set(labels).size, 3, 'three labels at three heights');
    // One pair's edges in opposite directions still spread apart rather than overlap.
    assert.notDeepEqual(edgeCurve(a, b, 0, 2, 20, 30).label, edgeCurve(b, a, 1, 2, 20, 30).label);
    const loop = edgeCurve(a, a, 0, 1, 20, 30);
    assert.ok(loop.label.y < 80, 'the loop label is above the node');
  });
});
