/**
 * The decoders on crafted and broken input: VLAN tags, fragments, truncation at
 * every byte, random garbage. Nothing may throw; a broken packet must say what is
 * wrong, and a frame cut only by the snap length must not be called malformed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dissect, summarize } from '../../src/core/decode/index';
import { fromHex } from '../../src/core/hex';
import { LinkType } from '../../src/core/packet';
import { readPcapFile, type PcapRecord } from '../../src/core/pcap/pcapReader';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
function records(name: string): PcapRecord[] {
  return readPcapFile(readFileSync(join(FIXTURES, name))).records;
}

/** Inserts an 802.1Q tag (TPID 0x8100, VLAN `vid`) after the MAC addresses. */
function withVlanTag(frame: Uint8Array, vid: number, tpid = 0x8100): Uint8Array {
  const tagged = new Uint8Array(frame.length + 4);
  tagged.set(frame.subarray(0, 12), 0);
  tagged.set([tpid >> 8, tpid & 0xff, (vid >> 8) & 0x0f, vid & 0xff], 12);
  tagged.set(frame.subarray(12), 16);
  return tagged;
}

describe('802.1Q VLAN', () => {
  it('a tagged UDP frame decodes like the untagged one, and shows the VLAN id', () => {
    const [plain] = records('loopback-udp.pcap');
    const tagged = withVlanTag(plain!.data, 100);
    const a = summarize(plain!.data, LinkType.ETHERNET);
    const b = summarize(tagged, LinkType.ETHERNET);
    assert.deepEqual({ ...b, payloadOffset: b.payloadOffset - 4 }, a);
    const layers = dissect(tagged, LinkType.ETHERNET);
    assert.deepEqual(layers.map((l) => l.name), ['Ethernet II', '802.1Q Virtual LAN', 'Internet Protocol Version 4', 'User Datagram Protocol', 'Data']);
    assert.equal(layers[1]!.fields.find((f) => f.name === 'ID')?.value, '100');
  });

  it('QinQ (802.1ad outer tag, 802.1Q inner tag)', () => {
    const [plain] = records('loopback-udp.pcap');
    const double = withVlanTag(withVlanTag(plain!.data, 20), 300, 0x88a8);
    const s = summarize(double, LinkType.ETHERNET);
    assert.equal(s.info, '40001 → 9999 Len=13');
    assert.deepEqual(dissect(double, 1).filter((l) => l.name === '802.1Q Virtual LAN').map((l) => l.fields[2]!.value), ['300', '20']);
  });
});

describe('raw IP link types', () => {
  it('LINKTYPE_RAW / IPV4 / IPV6 decode the IP packet inside an Ethernet fixture frame', () => {
    const [udp4] = records('loopback-udp.pcap');
    const ip4 = udp4!.data.subarray(14);
    assert.equal(summarize(ip4, LinkType.RAW).info, '40001 → 9999 Len=13');
    assert.equal(summarize(ip4, LinkType.IPV4).info, '40001 → 9999 Len=13');
    const udp6 = records('loopback-ipv6.pcap').at(-2)!;
    const ip6 = udp6.data.subarray(14);
    assert.equal(summarize(ip6, LinkType.RAW).src, '::1');
    assert.equal(summarize(ip6, LinkType.IPV6).info, '40001 → 9999 Len=13');
    // BSD loopback: address family 2 in host byte order.
    const nullFrame = new Uint8Array(4 + ip4.length);
    nullFrame.set([2, 0, 0, 0]);
    nullFrame.set(ip4, 4);
    assert.equal(summarize(nullFrame, LinkType.NULL).info, '40001 → 9999 Len=13');
  });
});

describe('fragments', () => {
  it('a non-first IPv4 fragment is shown as a fragment, not decoded as UDP', () => {
    // IPv4, ID 0x1234, fragment offset 185*8 = 1480, protocol UDP, 127.0.0.1 -> 127.0.0.2, 8 bytes of data.
    const ip = fromHex('45000020 1234 00b9 4011 0000 7f000001 7f000002 0102030405060708 090a0b0c');
    const s = summarize(ip, LinkType.IPV4);
    assert.equal(s.info, 'Fragmented IP protocol (proto=UDP 17, off=1480, ID=1234)');
    assert.equal(s.protocol, 'IPv4');
    assert.equal(s.srcPort, undefined);
    assert.equal(s.malformed, undefined);
  });

  it('an IPv6 fragment header with offset > 0 is shown as a fragment', () => {
    const ip6 = fromHex(
      '60000000 0010 2c 40' + '00000000000000000000000000000001' + '00000000000000000000000000000002' +
      '11 00 05a9 0000abcd' + '0102030405060708',
    );
    const s = summarize(ip6, LinkType.IPV6);
    assert.equal(s.info, 'IPv6 fragment (off=1448 more=y ident=0x0000abcd nxt=17)');
    assert.equal(s.src, '::1');
  });
});

describe('malformed and truncated input', () => {
  it('every prefix of every fixture frame decodes without throwing; a cut header is reported', () => {
    let checked = 0;
    for (const name of ['loopback-http.pcap', 'loopback-dns.pcap', 'loopback-tls.pcap', 'docker-bridge.pcap', 'any-sll2.pcap', 'any-sll.pcap', 'loopback-ipv6.pcap']) {
      for (const record of records(name)) {
        for (let length = 0; length < record.data.length; length++) {
          const cut = record.data.subarray(0, length);
          // Claimed as the whole frame (originalLength = length): a broken packet.
          const s = summarize(cut, record.linkType, length);
          assert.equal(typeof s.info, 'string');
          if (length < 34) assert.notEqual(s.malformed, undefined, `${name} cut at ${length} must be malformed`);
          const layers = dissect(cut, record.linkType);
          if (s.malformed !== undefined) assert.equal(layers.at(-1)?.name, 'Malformed');
          checked++;
        }
      }
    }
    assert.ok(checked > 5000);
  });

  it('a frame cut by the snap length is not malformed; the payload is what was captured', () => {
    const recs = records('loopback-http.pcap');
    const response = recs.find((r) => summarize(r.data, 1).info === 'HTTP/1.1 200 OK')!;
    const cut = response.data.subarray(0, 96);
    const snapped = summarize(cut, 1, response.data.length);
    assert.equal(snapped.malformed, undefined);
    assert.equal(snapped.info, 'HTTP/1.1 200 OK');
    assert.equal(snapped.payloadOffset + snapped.payloadLength, 96);
    // The same bytes claimed to be the whole frame: the IP length does not fit.
    const broken = summarize(cut, 1);
    assert.match(broken.malformed ?? '', /IPv4 total length 260 exceeds the 82 bytes captured/);
    assert.match(broken.info, /\[Malformed: /);
  });

  it('bad header lengths are named', () => {
    const [udp] = records('loopback-udp.pcap');
    const badIhl = udp!.data.slice();
    badIhl[14] = 0x43; // IHL 3 words
    assert.equal(summarize(badIhl, 1).malformed, 'IPv4 header length 12 is less than 20');
    const badUdp = udp!.data.slice();
    badUdp[14 + 20 + 4] = 0;
    badUdp[14 + 20 + 5] = 4; // UDP length 4
    assert.equal(summarize(badUdp, 1).malformed, 'UDP length 4 is less than 8');
    const layers = dissect(badUdp, 1);
    assert.deepEqual(layers.at(-1)?.fields[0]?.value, 'UDP length 4 is less than 8');
    assert.equal(summarize(new Uint8Array(5), 1).malformed, 'Ethernet header truncated: 5 of 14 bytes');
  });

  it('a DNS message with a compression loop is malformed, not a hang', () => {
    const [query] = records('loopback-dns.pcap');
    const looped = query!.data.slice();
    const name = 14 + 20 + 8 + 12;
    looped[name] = 0xc0;
    looped[name + 1] = 12; // points at itself
    const s = summarize(looped, 1);
    assert.equal(s.protocol, 'DNS');
    assert.match(s.malformed ?? '', /DNS question/);
  });

  it('random bytes on every link type never throw (seeded, bounded)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    const [tcp] = records('loopback-http.pcap');
    for (let i = 0; i < 3000; i++) {
      const length = random() % 120;
      const bytes = new Uint8Array(length);
      for (let j = 0; j < length; j++) bytes[j] = random() & 0xff;
      // Half of them keep a valid Ethernet+IPv4 start so the deeper decoders get garbage too.
      if (i % 2 === 0) bytes.set(tcp!.data.subarray(0, Math.min(length, 20 + (random() % 30))));
      for (const linkType of [0, 1, 12, 101, 113, 228, 229, 276, 9999]) {
        summarize(bytes, linkType);
        dissect(bytes, linkType);
      }
    }
  });
});
