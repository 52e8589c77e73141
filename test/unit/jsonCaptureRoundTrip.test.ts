/**
 * Save as JSON, then open the file again: every frame comes back as it was
 * captured, to the microsecond (the inspector's Time column and a re-saved pcap
 * depend on it), and the JSON keeps the fields users rely on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { decodeCaptureFile, encodeJsonCapture, encodePcapCapture } from '../../src/extension/save/captureEncoding';
import { parseIsoTime } from '../../src/extension/file/seedJsonFrames';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function captured(name: string): CapturedFrame[] {
  const file = readPcapFile(readFileSync(join(FIXTURES, name)));
  assert.equal(file.error, undefined);
  return file.records.map((r, i) => ({ ...r, interfaceName: i % 2 ? 'lo' : 'eth0', direction: i % 3 ? 'in' : 'out' }));
}

describe('JSON capture round trip', () => {
  for (const name of ['loopback-http.pcap', 'loopback-ipv6-two-addresses.pcap', 'docker-bridge.pcap']) {
    it(`${name}: save as JSON and reopen gives the same frames, microseconds included`, () => {
      const frames = captured(name);
      assert.ok(frames.some((f) => f.tsUsec % 1000 !== 0), 'the fixture has sub-millisecond timestamps');
      const reopened = decodeCaptureFile('capture.json', encodeJsonCapture(frames));
      assert.equal(reopened.problem, undefined);
      assert.deepEqual(
        reopened.frames.map((f) => [f.tsSec, f.tsUsec]),
        frames.map((f) => [f.tsSec, f.tsUsec]),
      );
      assert.deepEqual(reopened.frames, frames);
      // And a pcap saved from the reopened JSON is byte for byte the pcap saved from the capture.
      assert.deepEqual(encodePcapCapture(reopened.frames).bytes, encodePcapCapture(frames).bytes);
    });
  }

  it("keeps the seed's fields and `time` as ISO 8601 with six fractional digits", () => {
    const frames = captured('loopback-http.pcap');
    const records = JSON.parse(new TextDecoder().decode(encodeJsonCapture(frames))) as Record<string, unknown>[];
    const first = records[0]!;
    for (const key of ['payload', 'src_port', 'interface', 'src', 'dst', 'dst_port', 'time', 'direction', 'protocol', 'info', 'length']) {
      assert.ok(key in first, key);
    }
    const usec = String(frames[0]!.tsUsec).padStart(6, '0');
    assert.equal(first.time, `${new Date(frames[0]!.tsSec * 1000).toISOString().slice(0, 19)}.${usec}Z`);
  });

  it('reads ISO times exactly, with any zone and up to nanoseconds (cut to microseconds)', () => {
    assert.deepEqual(parseIsoTime('2024-05-01T12:00:00.313640Z'), { tsSec: 1714564800, tsUsec: 313640 });
    assert.deepEqual(parseIsoTime('2024-05-01T12:00:00.000001Z'), { tsSec: 1714564800, tsUsec: 1 });
    assert.deepEqual(parseIsoTime('2024-05-01T14:00:00.5+02:00'), { tsSec: 1714564800, tsUsec: 500000 });
    assert.deepEqual(parseIsoTime('2024-05-01T12:00:00.123456789Z'), { tsSec: 1714564800, tsUsec: 123456 });
    assert.deepEqual(parseIsoTime('2024-05-01T12:00:00Z'), { tsSec: 1714564800, tsUsec: 0 });
    assert.equal(parseIsoTime('2024-05-01 12:00'), undefined);
    assert.equal(parseIsoTime('yesterday'), undefined);
  });
});
