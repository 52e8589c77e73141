/**
 * The seed's output, byte for byte: the README's example blocks rebuilt from the
 * payload hex in the README's JSON part, and the JSON record's fields.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { summarize } from '../../src/core/decode/index';
import { fromHex } from '../../src/core/hex';
import { seedHexdumpLines } from '../../src/core/hexdump';
import type { CapturedFrame, PacketSummary } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import {
  formatSeedJsonArray, formatSeedText, isoTimeWithMicroseconds, seedEndpointLine, seedTextLines, toNdjsonLine, toSeedJsonRecord,
} from '../../src/core/seedFormat';

/** The README's `GET /` block (its text part), verbatim. */
const README_GET_BLOCK = `OUT: 216.58.208.46:80
  00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15
+-------------------------------------------------+----------------+
| 47 45 54 20 2F 20 48 54 54 50 2F 31 2E 31 0D 0A |GET / HTTP/1.1..|
| 48 6F 73 74 3A 20 67 6F 6F 67 6C 65 2E 63 6F 6D |Host: google.com|
| 0D 0A 55 73 65 72 2D 41 67 65 6E 74 3A 20 63 75 |..User-Agent: cu|
| 72 6C 2F 37 2E 34 37 2E 31 0D 0A 41 63 63 65 70 |rl/7.47.1..Accep|
| 74 3A 20 2A 2F 2A 0D 0A 0D 0A                   |t: */*....      |
+-------------------------------------------------+----------------+
`;
/** The same request's payload in the README's JSON part. */
const README_GET_PAYLOAD = '474554202f20485454502f312e310d0a486f73743a20676f6f676c652e636f6d0d0a557365722d4167656e743a206375726c2f372e34372e310d0a4163636570743a202a2f2a0d0a0d0a';

/** The README's AAAA answer block, verbatim. */
const README_AAAA_BLOCK = `IN:  10.38.5.26:53
  00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15
+-------------------------------------------------+----------------+
| CE B8 81 80 00 01 00 01 00 00 00 00 06 67 6F 6F |.............goo|
| 67 6C 65 03 63 6F 6D 00 00 1C 00 01 C0 0C 00 1C |gle.com.........|
| 00 01 00 00 00 99 00 10 2A 00 14 50 40 01 08 15 |........*..P@...|
| 00 00 00 00 00 00 20 0E                         |...... .        |
+-------------------------------------------------+----------------+
`;
/**
 * That answer's payload in the README's JSON part comes from another run: its DNS id
 * is 1dd3 and its TTL 0x89 where the text shows ceb8 and 0x99. The bytes are otherwise
 * the same, so the test takes the JSON hex and puts the text run's id and TTL back.
 */
const README_AAAA_PAYLOAD_JSON = '1dd38180000100010000000006676f6f676c6503636f6d00001c0001c00c001c00010000008900102a00145040010815000000000000200e';

function frameFromPayload(payloadHex: string, direction: 'in' | 'out'): { frame: CapturedFrame; summary: PacketSummary } {
  const payload = fromHex(payloadHex);
  const data = new Uint8Array(64 + payload.length);
  data.set(payload, 64);
  const summary: PacketSummary = direction === 'out'
    ? { src: '172.17.0.2', dst: '216.58.208.46', srcPort: 46094, dstPort: 80, protocol: 'HTTP', info: '', payloadOffset: 64, payloadLength: payload.length }
    : { src: '10.38.5.26', dst: '172.17.0.2', srcPort: 53, dstPort: 36838, protocol: 'DNS', info: '', payloadOffset: 64, payloadLength: payload.length };
  const frame: CapturedFrame = { tsSec: 1476704062, tsUsec: 5, interfaceName: 'docker0', direction, linkType: 1, originalLength: data.length, data };
  return { frame, summary };
}

describe("the seed's text format", () => {
  it("reproduces the README's GET block byte for byte from its JSON payload", () => {
    const { frame, summary } = frameFromPayload(README_GET_PAYLOAD, 'out');
    assert.equal(formatSeedText(frame, summary), README_GET_BLOCK);
  });

  it("reproduces the README's 4-row DNS answer block, including the padded last row", () => {
    const payload = fromHex(README_AAAA_PAYLOAD_JSON);
    payload.set([0xce, 0xb8], 0);
    payload[12 + 16 + 6 + 3] = 0x99; // TTL low byte: after the header, the question, the answer's name pointer, type and class
    const { frame, summary } = frameFromPayload(Buffer.from(payload).toString('hex'), 'in');
    assert.equal(seedTextLines(frame, summary).join('\n') + '\n', README_AAAA_BLOCK);
  });

  it('a packet without payload is one line; without ports (ICMP) the line has no :port', () => {
    const { records } = readPcapFile(new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'loopback-icmp.pcap'))));
    const ping = records[0]!;
    const frame: CapturedFrame = { ...ping, interfaceName: 'lo', direction: 'out' };
    assert.equal(formatSeedText(frame, summarize(ping.data, 1)), 'OUT: 127.0.0.1\n');
    const synAck: PacketSummary = { src: '10.0.0.5', dst: '10.0.0.2', srcPort: 80, dstPort: 51234, protocol: 'TCP', info: '', payloadOffset: 54, payloadLength: 0 };
    assert.equal(seedEndpointLine('in', synAck), 'IN:  10.0.0.5:80');
    assert.equal(seedEndpointLine('out', synAck), 'OUT: 10.0.0.2:51234');
    assert.equal(seedEndpointLine('out', { ...synAck, dst: 'fd00::5' }), 'OUT: [fd00::5]:51234');
    assert.deepEqual(seedHexdumpLines(new Uint8Array(0)), []);
  });

  it('a full row has no padding; a 17-byte payload has a 1-byte second row', () => {
    const lines = seedHexdumpLines(new TextEncoder().encode('0123456789abcdefX'));
    assert.deepEqual(lines.slice(2, 4), [
      '| 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 |0123456789abcdef|',
      '| 58                                              |X               |',
    ]);
  });
});

describe("the seed's JSON record", () => {
  it('has the seed keys first, as strings, then time, direction, protocol, info, length', () => {
    const { frame, summary } = frameFromPayload(README_GET_PAYLOAD, 'out');
    const record = toSeedJsonRecord(frame, { ...summary, info: 'GET / HTTP/1.1' });
    assert.deepEqual(Object.keys(record), ['payload', 'src_port', 'interface', 'src', 'dst', 'dst_port', 'time', 'direction', 'protocol', 'info', 'length']);
    assert.deepEqual(record, {
      payload: README_GET_PAYLOAD,
      src_port: '46094',
      interface: 'docker0',
      src: '172.17.0.2',
      dst: '216.58.208.46',
      dst_port: '80',
      time: '2016-10-17T11:34:22.000005Z',
      direction: 'out',
      protocol: 'HTTP',
      info: 'GET / HTTP/1.1',
      length: 64 + 74,
    });
    assert.equal(toNdjsonLine(record), JSON.stringify(record) + '\n');
    assert.match(formatSeedJsonArray([record]), /^\[\n {3}\{\n {6}"payload": "4745/);
  });

  it('a packet without payload or ports has "" for them (real ICMP frame)', () => {
    const { records } = readPcapFile(new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'loopback-icmp.pcap'))));
    const ping = records[0]!;
    const frame: CapturedFrame = { ...ping, interfaceName: 'lo', direction: 'in' };
    const record = toSeedJsonRecord(frame, summarize(ping.data, 1));
    assert.deepEqual([record.payload, record.src_port, record.dst_port, record.protocol, record.length], ['', '', '', 'ICMP', 98]);
    assert.match(record.info, /^Echo \(ping\) request id=0x[0-9a-f]{4}, seq=0$/);
  });

  it('time keeps microseconds', () => {
    assert.equal(isoTimeWithMicroseconds(0, 999999), '1970-01-01T00:00:00.999999Z');
    assert.equal(isoTimeWithMicroseconds(1700000000, 42), '2023-11-14T22:13:20.000042Z');
  });
});
