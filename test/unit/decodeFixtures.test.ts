/**
 * The decoders on REAL captures (test/fixtures, made by scripts/make-fixtures.sh),
 * checked field by field against tshark reading the same files, plus the Info lines
 * a user sees for the traffic the fixture script made (its DNS responder's fixed
 * answers, busybox httpd, openssl with SNI example.test).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dissect, sourceMac, summarize } from '../../src/core/decode/index';
import { readPcapFile, type PcapRecord } from '../../src/core/pcap/pcapReader';
import type { PacketSummary } from '../../src/core/packet';
import { oracleMissing } from './oracle';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function records(name: string): PcapRecord[] {
  const file = readPcapFile(readFileSync(join(FIXTURES, name)));
  assert.equal(file.error, undefined, `${name}: ${file.error?.message}`);
  return file.records;
}

function summaries(name: string): PacketSummary[] {
  return records(name).map((r) => summarize(r.data, r.linkType, r.originalLength));
}

const TSHARK_FIELDS = [
  'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'arp.src.hw_mac', 'eth.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport',
  'tcp.seq_raw', 'tcp.ack_raw', 'tcp.window_size_value', 'tcp.len', 'tcp.flags.ack', 'tcp.flags.str', 'udp.length',
  'dns.id', 'dns.qry.name', 'http.request.method', 'http.request.uri', 'http.response.code',
  'tls.handshake.extensions_server_name', 'icmp.ident', 'icmp.seq', 'icmpv6.echo.identifier', 'icmpv6.type',
] as const;
type TsharkRow = Record<(typeof TSHARK_FIELDS)[number], string>;

// Skipped per test, not per suite: node counts skipped tests only (run-all.sh reports them).
const tsharkMissing = oracleMissing('tshark');

function tshark(name: string): TsharkRow[] {
  const args = ['-r', join(FIXTURES, name), '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f'];
  for (const f of TSHARK_FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trimEnd().split('\n').map((line) => {
    const values = line.split('|');
    return Object.fromEntries(TSHARK_FIELDS.map((f, i) => [f, values[i] ?? ''])) as TsharkRow;
  });
}

/** tshark's flag string `·······A··S·` → our `[SYN, ACK]` order (FIN SYN RST PSH ACK URG ECE CWR AE). */
function flagsFromTshark(flags: string): string {
  const chars = [...flags].reverse(); // F S R P A U E C ... from the low bit
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];
  const set = names.filter((_n, bit) => chars[bit] !== undefined && chars[bit] !== '·');
  return `[${set.join(', ')}]`;
}

const ALL_FIXTURES = [
  'loopback-http.pcap', 'loopback-ipv6.pcap', 'loopback-udp.pcap', 'loopback-udp-nanosecond.pcap', 'loopback-icmp.pcap',
  'loopback-dns.pcap', 'loopback-tls.pcap', 'any-sll.pcap', 'any-sll2.pcap', 'docker-bridge.pcap',
];

describe('decoders agree with tshark on real captures', () => {
  for (const name of ALL_FIXTURES) {
    it(`${name}: addresses, ports, TCP numbers and application fields`, { skip: tsharkMissing }, () => {
      const ours = summaries(name);
      const theirs = tshark(name);
      assert.equal(ours.length, theirs.length);
      ours.forEach((s, i) => {
        const t = theirs[i]!;
        const where = `${name} frame ${i + 1}`;
        assert.equal(s.malformed, undefined, `${where}: ${s.malformed}`);
        if (t['ip.src']) {
          assert.equal(s.src, t['ip.src'], where);
          assert.equal(s.dst, t['ip.dst'], where);
        } else if (t['ipv6.src']) {
          assert.equal(s.src, t['ipv6.src'], where);
          assert.equal(s.dst, t['ipv6.dst'], where);
        } else if (t['arp.src.hw_mac']) {
          assert.equal(s.src, t['arp.src.hw_mac'], where);
          assert.equal(s.dst, t['eth.dst'], where);
        }
        const srcPort = t['tcp.srcport'] || t['udp.srcport'];
        assert.equal(s.srcPort === undefined ? '' : String(s.srcPort), srcPort, where);
        assert.equal(s.dstPort === undefined ? '' : String(s.dstPort), t['tcp.dstport'] || t['udp.dstport'], where);
        if (t['tcp.seq_raw'] && s.protocol === 'TCP') {
          const ack = t['tcp.flags.ack'] === '1' ? ` Ack=${t['tcp.ack_raw']}` : '';
          const expected = `${t['tcp.srcport']} → ${t['tcp.dstport']} ${flagsFromTshark(t['tcp.flags.str'])} Seq=${t['tcp.seq_raw']}${ack} Win=${t['tcp.window_size_value']} Len=${t['tcp.len']}`;
          assert.equal(s.info, expected, where);
        }
        if (t['tcp.len']) assert.equal(s.payloadLength, Number(t['tcp.len']), where);
        if (t['udp.length']) assert.equal(s.payloadLength, Number(t['udp.length']) - 8, where);
        if (t['dns.qry.name']) assert.match(s.info, new RegExp(`^Standard query (response )?${t['dns.id']} .*${t['dns.qry.name']}`), where);
        if (t['http.request.method']) assert.equal(s.info, `${t['http.request.method']} ${t['http.request.uri']} HTTP/1.1`, where);
        if (t['http.response.code'] && s.protocol === 'HTTP') assert.match(s.info, new RegExp(`^HTTP/1\\.1 ${t['http.response.code']} `), where);
        if (t['tls.handshake.extensions_server_name']) assert.equal(s.info, `Client Hello (SNI=${t['tls.handshake.extensions_server_name']})`, where);
        // tshark prints the ICMP identifier in decimal; the Info column shows it as Wireshark does, 0x-hex.
        const icmpId = (id: string): string => `0x${Number(id).toString(16).padStart(4, '0')}`;
        if (t['icmp.ident']) assert.match(s.info, new RegExp(`id=${icmpId(t['icmp.ident'])}, seq=${t['icmp.seq']}$`), where);
        if (t['icmpv6.echo.identifier']) assert.match(s.info, new RegExp(`id=${t['icmpv6.echo.identifier']}, seq=\\d+$`), where);
      });
    });
  }
});

describe('what a user sees in the Info column', () => {
  it('DNS queries and answers from the fixture responder', () => {
    const dns = summaries('loopback-dns.pcap');
    assert.deepEqual(dns.map((s) => [s.protocol, s.info]), [
      ['DNS', 'Standard query 0x1a2b A example.test'],
      ['DNS', 'Standard query response 0x1a2b A example.test A 10.0.0.5'],
      ['DNS', 'Standard query 0x1a2c AAAA example.test'],
      ['DNS', 'Standard query response 0x1a2c AAAA example.test AAAA fd00::5'],
      ['DNS', 'Standard query 0x1a2d A nx.example.test'],
      ['DNS', 'Standard query response 0x1a2d No such name A nx.example.test'],
      ['DNS', 'Standard query 0x1a2e A www.example.test'],
      ['DNS', 'Standard query response 0x1a2e A www.example.test CNAME example.test A 10.0.0.5'],
    ]);
    assert.deepEqual([dns[0]!.srcPort, dns[0]!.dstPort], [40053, 53]);
  });

  it('HTTP request and status lines; the three-way handshake', () => {
    const http = summaries('loopback-http.pcap');
    assert.match(http[0]!.info, /^\d+ → 8080 \[SYN\] Seq=\d+ Win=65495 Len=0$/);
    assert.match(http[1]!.info, /^8080 → \d+ \[SYN, ACK\] Seq=\d+ Ack=\d+ Win=\d+ Len=0$/);
    const lines = http.filter((s) => s.protocol === 'HTTP').map((s) => s.info);
    assert.deepEqual(lines, ['GET /index.html HTTP/1.1', 'HTTP/1.1 200 OK']);
  });

  it('TLS ClientHello shows the SNI', () => {
    const tls = summaries('loopback-tls.pcap');
    assert.ok(tls.some((s) => s.protocol === 'TLS' && s.info === 'Client Hello (SNI=example.test)'));
    assert.ok(tls.some((s) => s.protocol === 'TLS' && s.info.startsWith('Server Hello')));
  });

  it('ICMP echo, ARP and neighbour discovery on a Docker bridge', () => {
    const bridge = summaries('docker-bridge.pcap');
    const infos = bridge.map((s) => s.info);
    assert.ok(infos.includes('Who has 172.30.99.10? Tell 172.30.99.11'));
    assert.ok(infos.includes('172.30.99.10 is at 02:42:ac:1e:63:0a'));
    assert.ok(infos.some((i) => /^Echo \(ping\) request id=0x[0-9a-f]{4}, seq=0$/.test(i)));
    assert.ok(infos.includes('Neighbor Solicitation for fd00:dc::10 from 02:42:ac:1e:63:0b'));
    assert.ok(infos.includes('Neighbor Advertisement fd00:dc::10 (sol, ovr) is at 02:42:ac:1e:63:0a'));
    assert.ok(infos.includes('Multicast Listener Report Message v2'));
    const arp = bridge.find((s) => s.protocol === 'ARP')!;
    assert.deepEqual([arp.src, arp.dst], ['02:42:ac:1e:63:0b', 'ff:ff:ff:ff:ff:ff']);
    const ping = bridge.find((s) => s.protocol === 'ICMP')!;
    assert.deepEqual([ping.src, ping.dst, ping.srcPort, ping.dstPort], ['172.30.99.11', '172.30.99.10', undefined, undefined]);
  });

  it('UDP over IPv6 loopback: ports and payload position', () => {
    const recs = records('loopback-ipv6.pcap');
    const i = recs.findIndex((r) => summarize(r.data, r.linkType).protocol === 'UDP');
    const s = summarize(recs[i]!.data, 1);
    assert.deepEqual([s.src, s.dst, s.srcPort, s.dstPort, s.info], ['::1', '::1', 40001, 9999, '40001 → 9999 Len=13']);
    assert.equal(new TextDecoder().decode(recs[i]!.data.subarray(s.payloadOffset, s.payloadOffset + s.payloadLength)), 'ping from dnc');
  });

  it('cooked captures (tcpdump -i any) decode like Ethernet ones', () => {
    for (const name of ['any-sll.pcap', 'any-sll2.pcap']) {
      const infos = summaries(name).map((s) => `${s.protocol} ${s.info}`);
      assert.equal(infos[2], 'UDP 40001 → 9999 Len=13', name);
      assert.match(infos[0]!, /^ICMP Echo \(ping\) request id=0x[0-9a-f]{4}, seq=0$/, name);
    }
  });
});

describe('dissect on real frames', () => {
  it('HTTP GET: every layer with byte ranges inside the frame', () => {
    const recs = records('loopback-http.pcap');
    const get = recs.find((r) => summarize(r.data, 1).protocol === 'HTTP')!;
    const layers = dissect(get.data, 1);
    assert.deepEqual(layers.map((l) => l.name), ['Ethernet II', 'Internet Protocol Version 4', 'Transmission Control Protocol', 'Hypertext Transfer Protocol']);
    for (const layer of layers) {
      for (const f of layer.fields) assert.ok(f.offset >= 0 && f.offset + f.length <= get.data.length, `${layer.name}.${f.name}`);
    }
    const ip = layers[1]!;
    const src = ip.fields.find((f) => f.name === 'Source Address')!;
    assert.deepEqual([src.value, src.offset, src.length], ['127.0.0.1', 26, 4]);
    const http = layers[3]!;
    assert.equal(http.fields[0]!.value, 'GET /index.html HTTP/1.1');
    assert.equal(http.fields.find((f) => f.name === 'Host')?.value, '127.0.0.1:8080');
  });

  it('UDP payload ends in a Data layer covering exactly the payload', () => {
    const [request] = records('loopback-udp.pcap');
    const layers = dissect(request!.data, 1);
    const data = layers.at(-1)!;
    assert.equal(data.name, 'Data');
    assert.equal(data.length, 13);
    assert.equal(data.fields[0]!.value, Buffer.from('ping from dnc').toString('hex'));
  });

  it('MLDv2 report: the hop-by-hop extension header with its router alert', () => {
    const [first] = records('docker-bridge.pcap');
    const names = dissect(first!.data, 1).map((l) => l.name);
    assert.deepEqual(names.slice(0, 4), ['Ethernet II', 'Internet Protocol Version 6', 'IPv6 Hop-by-Hop Option', 'Internet Control Message Protocol v6']);
    const hbh = dissect(first!.data, 1)[2]!;
    assert.equal(hbh.fields.find((f) => f.name === 'Router Alert')?.value, 'MLD (0)');
  });

  it('DNS response layer lists question and answer', () => {
    const recs = records('loopback-dns.pcap');
    const dns = dissect(recs[1]!.data, 1).find((l) => l.name === 'Domain Name System')!;
    assert.equal(dns.fields.find((f) => f.name === 'Query')?.value, 'example.test: type A, class IN');
    assert.equal(dns.fields.find((f) => f.name === 'Answer')?.value, 'example.test: type A, class IN, ttl 300, 10.0.0.5');
  });
});

describe('sourceMac', () => {
  it('reads the sender of Ethernet, SLL and SLL2 frames', () => {
    const bridge = records('docker-bridge.pcap');
    const arp = bridge.find((r) => summarize(r.data, 1).protocol === 'ARP')!;
    assert.equal(sourceMac(arp.data, 1), '02:42:ac:1e:63:0b');
    // Loopback has an all-zero address in cooked captures too.
    assert.equal(sourceMac(records('any-sll.pcap')[0]!.data, 113), '00:00:00:00:00:00');
    assert.equal(sourceMac(records('any-sll2.pcap')[0]!.data, 276), '00:00:00:00:00:00');
    assert.equal(sourceMac(new Uint8Array(10), 1), undefined);
    assert.equal(sourceMac(new Uint8Array(40), 101), undefined);
  });
});

describe('TLS detail', () => {
  it('the Server Name field points at the name bytes in the ClientHello', () => {
    const hello = records('loopback-tls.pcap').find((r) => summarize(r.data, 1).info.startsWith('Client Hello'))!;
    const tls = dissect(hello.data, 1).find((l) => l.name === 'Transport Layer Security')!;
    const sni = tls.fields.find((f) => f.name === 'Server Name')!;
    assert.equal(sni.value, 'example.test');
    assert.equal(new TextDecoder().decode(hello.data.subarray(sni.offset, sni.offset + sni.length)), 'example.test');
  });
});
