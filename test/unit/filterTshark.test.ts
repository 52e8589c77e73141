/**
 * The display filter against tshark on the same capture files: every fixture
 * pcap is loaded into the packet store as the inspector loads it, filtered by
 * our language, and compared with `tshark -r FILE -Y FILTER` (the packets a
 * Wireshark user would see). tshark's TCP reassembly is turned off, because
 * the inspector reads HTTP and TLS fields from single segments. The fixtures
 * are concatenated (mergecap -a) so tshark runs once per filter, and loaded
 * one after the other into one store on our side: packet numbers agree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { compileFilter, FilteredRows } from '../../src/core/filter/index';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PacketStore } from '../../src/core/packetStore';
import { StreamTable } from '../../src/core/stream/streamTable';

const FIXTURES = join(__dirname, '..', 'fixtures');
const PCAPS = readdirSync(FIXTURES).filter((f) => f.endsWith('.pcap')).sort();

/** [our filter, tshark's spelling when it differs]. */
const CASES: [string, string?][] = [
  ['frame contains "GET"'],
  ['frame contains "HTTP/1.1 200"'],
  ['frame matches "get /"'],
  ['frame.number == 4'],
  ['frame.number >= 10 and frame.number < 13'],
  ['frame.len > 100'],
  ['tcp.flags.syn == 1'],
  ['tcp.flags.ack == 1'],
  ['tcp.flags.fin == 1'],
  ['tcp.flags.reset == 1'],
  ['tcp.flags.push == 1'],
  ['tcp.flags.syn == 1 and tcp.flags.ack == 0'],
  ['tcp.flags == 0x012'],
  ['tcp.flags.syn'],
  ['tcp.len > 0'],
  ['tcp.len == 0'],
  ['tcp.len != 0'],
  ['tcp.len in {1..100}'],
  ['http.request.method == "GET"'],
  ['http.request.method in {"GET" "POST"}', 'http.request.method in {"GET", "POST"}'],
  ['http.request.uri == "/index.html"'],
  ['http.request.uri contains "index"'],
  ['http.response.code == 200'],
  ['http.response.code >= 400'],
  ['dns.qry.name == "example.test"'],
  ['dns.qry.name contains "www"'],
  ['dns.qry.name matches "^nx\\\\."'],
  ['tls.handshake.extensions_server_name == "example.test"'],
  ['eth.addr == 02:42:ac:1e:63:0b'],
  ['eth.src == 02:42:ac:1e:63:0a'],
  ['eth.dst == ff:ff:ff:ff:ff:ff'],
  ['eth.addr != 02:42:ac:1e:63:0b'],
  ['ip.src == ::1', 'ipv6.src == ::1'],
  ['ip.dst == ff02::16', 'ipv6.dst == ff02::16'],
  ['ip.addr == fe80::1', 'ipv6.addr == fe80::1'],
  ['ip.addr == 127.0.0.1'],
  ['tcp.port in {8080, 4433}'],
  ['tcp.srcport in {1..10000}'],
  ['udp.port == 9999'],
  ['tcp.dstport == 8080 or udp.dstport == 53'],
  ['not tcp.flags.ack == 1 and tcp'],
  ['tcp.stream == 0'],
  ['tcp.stream == 3'],
  ['tcp.stream >= 2 and tcp.len > 0'],
  ['udp.stream == 1'],
  ['udp.stream in {0 2}', 'udp.stream in {0, 2}'],
  ['tcp.analysis.retransmission'],
  ['not tcp.analysis.retransmission and tcp.stream == 5'],
];

const work = mkdtempSync(join(tmpdir(), 'dnc-filter-tshark-'));
after(() => rmSync(work, { recursive: true, force: true }));
const MERGED = join(work, 'all.pcapng');
execFileSync('mergecap', ['-a', '-F', 'pcapng', '-w', MERGED, ...PCAPS.map((f) => join(FIXTURES, f))]);
const STORE = new PacketStore({ maxPackets: 100_000, summarize, summarizeColumns });
const STREAMS = new StreamTable(STORE);
/** [file, packets in it], to name a packet in a failure message. */
const SIZES: [string, number][] = PCAPS.map((file) => {
  const pcap = readPcapFile(readFileSync(join(FIXTURES, file)));
  for (const r of pcap.records) STORE.append({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: '', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data });
  return [file, pcap.records.length];
});

function byFile(n: number): string {
  let rest = n;
  for (const [file, size] of SIZES) {
    if (rest <= size) return `${file} #${rest}`;
    rest -= size;
  }
  return `#${n}`;
}

function ours(filter: string): number[] {
  const compiled = compileFilter(filter, { hostnames: {}, streams: STREAMS });
  if (!compiled.ok) assert.fail(`'${filter}' did not compile: ${compiled.message}`);
  const rows = new FilteredRows(STORE);
  rows.setPredicate(compiled.predicate);
  return [...rows.toArray()];
}

function tshark(filter: string): number[] {
  // No shell: the filter is one argument.
  const out = execFileSync('tshark', ['-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-r', MERGED, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.split('\n').filter(Boolean).map(Number);
}

test('tshark is installed (the oracle of these tests)', () => {
  assert.match(execFileSync('tshark', ['--version'], { encoding: 'utf8' }), /TShark/);
});

for (const [filter, theirs] of CASES) {
  test(`${filter} selects the packets tshark selects${theirs ? ` with ${theirs}` : ''}`, () => {
    const expected = tshark(theirs ?? filter);
    assert.deepEqual(ours(filter).map(byFile), expected.map(byFile), filter);
    const matched = expected.length;
    assert.ok(matched > 0 || filter.includes('>= 400') || filter.includes('reset') || filter.includes('retransmission'), `the fixtures exercise ${filter}`);
  });
}
