/**
 * pcapng written by the core writer, read by tshark (the oracle a Wireshark
 * user trusts) with the interface names `container/interface`, the direction
 * flags and the container comments; and pcapng read back by our reader, both
 * ours and one Wireshark's editcap wrote.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PcapngStreamReader } from '../../src/core/pcap/pcapngReader';
import { encodePcapngFile, type PcapngWritableFrame } from '../../src/core/pcap/pcapngWriter';
import { oracleMissing } from './oracle';
import { packetBytes, sighting } from './timelineFrames';

const dir = mkdtempSync(join(tmpdir(), 'dnc-pcapng-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function frames(): PcapngWritableFrame[] {
  const req = packetBytes({ src: '172.18.0.2', dst: '172.18.0.3', payload: 'GET / HTTP/1.1\r\nHost: db\r\n\r\n', ipId: 1 });
  const res = packetBytes({ src: '172.18.0.3', dst: '172.18.0.2', srcPort: 80, dstPort: 40000, payload: 'HTTP/1.1 200 OK\r\n\r\n', ipId: 2 });
  return [
    sighting('web-1', 'out', 1_000, req),
    sighting('db-1', 'in', 1_040, req),
    sighting('db-1', 'out', 2_000, res),
    sighting('web-1', 'in', 2_050, res),
    sighting('web-1', 'out', 3_000, packetBytes({ src: '127.0.0.1', dst: '127.0.0.1', payload: 'x' }), 'lo'),
  ];
}

describe('pcapng', () => {
  it('tshark reads the interface names, directions and container comments', { skip: oracleMissing('tshark') }, () => {
    const path = join(dir, 'multi.pcapng');
    writeFileSync(path, encodePcapngFile(frames()));
    const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.packet_flags_direction', '-e', 'frame.comment', '-e', 'ip.src', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.deepEqual(out.trim().split('\n'), [
      'web-1/eth0|0x00000002|container web-1|172.18.0.2|1700000000.001000000',
      'db-1/eth0|0x00000001|container db-1|172.18.0.2|1700000000.001040000',
      'db-1/eth0|0x00000002|container db-1|172.18.0.3|1700000000.002000000',
      'web-1/eth0|0x00000001|container web-1|172.18.0.3|1700000000.002050000',
      'web-1/lo|0x00000002|container web-1|127.0.0.1|1700000000.003000000',
    ]);
    // tshark takes the receiver's copy for a retransmission: the request decodes once, on the sender's interface.
    const http = execFileSync('tshark', ['-r', path, '-Y', 'http.request', '-T', 'fields', '-e', 'frame.interface_name', '-e', 'http.host'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.deepEqual(http.trim().split('\n'), ['web-1/eth0\tdb'], 'the packets themselves decode too');
  });

  it('our reader gives back the frames, names, directions and comments', () => {
    const written = frames();
    const file = readPcapFile(encodePcapngFile(written));
    assert.equal(file.error, undefined);
    assert.deepEqual(
      file.records.map((r) => [r.interfaceName, r.direction, r.comment, r.tsSec, r.tsUsec, r.linkType, Buffer.from(r.data).toString('hex')]),
      written.map((f) => [`${f.container}/${f.interfaceName}`, f.direction, `container ${f.container}`, f.tsSec, f.tsUsec, f.linkType, Buffer.from(f.data).toString('hex')]),
    );
  });

  it('reads the same whatever the chunking', () => {
    const bytes = encodePcapngFile(frames());
    const reader = new PcapngStreamReader();
    const records = [];
    for (let i = 0; i < bytes.length; i += 7) records.push(...reader.push(bytes.subarray(i, i + 7)).records);
    assert.equal(reader.end(), undefined);
    assert.equal(records.length, 5);
  });

  it("reads a pcapng Wireshark's editcap wrote like the pcap it came from", { skip: oracleMissing('tshark') }, () => {
    const source = join(import.meta.dirname, '..', 'fixtures', 'loopback-http.pcap');
    const converted = join(dir, 'editcap.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', source, converted], { stdio: 'ignore' });
    const ng = readPcapFile(new Uint8Array(readFileSync(converted)));
    const pcap = readPcapFile(new Uint8Array(readFileSync(source)));
    assert.equal(ng.error, undefined);
    assert.ok(pcap.records.length > 0);
    assert.deepEqual(
      ng.records.map((r) => [r.tsSec, r.tsUsec, r.originalLength, r.linkType, Buffer.from(r.data).toString('hex')]),
      pcap.records.map((r) => [r.tsSec, r.tsUsec, r.originalLength, r.linkType, Buffer.from(r.data).toString('hex')]),
    );
  });

  it('a damaged file is an error value, the packets before it kept', () => {
    const bytes = encodePcapngFile(frames());
    const cut = bytes.slice(0, bytes.length - 10);
    const file = readPcapFile(cut);
    assert.equal(file.records.length, 4);
    assert.match(file.error?.message ?? '', /truncated last pcapng block/);
    const bad = bytes.slice();
    bad.set([0xff, 0xff, 0xff], 4); // the section header's length: absurd
    assert.match(readPcapFile(bad).error?.message ?? '', /malformed pcapng/);
  });
});
