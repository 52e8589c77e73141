import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { framesFromJsonText, bytesToHex } from '../../src/extension/file/seedJsonFrames';
import { oracleMissing } from './oracle';

/** The first two records of the seed README's JSON example. */
const seedExample = `[
   { "payload": "5be60100000100000000000006676f6f676c6503636f6d0000010001", "src_port": "36838", "interface": "docker0", "src": "172.17.0.2", "dst": "10.38.5.26", "dst_port": "53" },
   { "payload": "", "src_port": "46094", "interface": "docker0", "src": "172.17.0.2", "dst": "216.58.208.46", "dst_port": "80" }
]`;

function pcapOf(frames: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true); hv.setUint16(4, 2, true); hv.setUint16(6, 4, true); hv.setUint32(16, 65535, true); hv.setUint32(20, 1, true);
  parts.push(header);
  frames.forEach((f, i) => {
    const rec = new Uint8Array(16);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, 1000 + i, true); rv.setUint32(8, f.length, true); rv.setUint32(12, f.length, true);
    parts.push(rec, f);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

test("the seed's JSON records become one frame each, on the seed's interface", () => {
  const { frames, problems } = framesFromJsonText(seedExample);
  assert.deepEqual(problems, []);
  assert.equal(frames.length, 2);
  assert.equal(frames[0]?.interfaceName, 'docker0');
});

// tcpdump is the oracle: its own decoding and checksum verdict on the rebuilt
// frames. Without it the test is skipped (and counted), never passed silently.
test("the seed's JSON records become frames tcpdump decodes as the same packets", { skip: oracleMissing('tcpdump') }, () => {
  const { frames } = framesFromJsonText(seedExample);
  const dir = mkdtempSync(join(tmpdir(), 'dnc-json-'));
  const file = join(dir, 'x.pcap');
  try {
    writeFileSync(file, pcapOf(frames.map((f) => f.data)));
    const text = execFileSync('tcpdump', ['-nn', '-vv', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(text, /172\.17\.0\.2\.36838 > 10\.38\.5\.26\.53: \[udp sum ok\] .*A\? google\.com\./);
    assert.match(text, /172\.17\.0\.2\.46094 > 216\.58\.208\.46\.80: Flags \[P\.\], cksum 0x[0-9a-f]+ \(correct\)/);
    // -vv continues a packet on indented lines; each packet starts with its time.
    assert.equal(text.split('\n').filter((l) => /^\d/.test(l)).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records with a frame field round-trip exactly, with time and direction', () => {
  const data = new Uint8Array([0, 1, 2, 3, 250, 255]);
  const json = JSON.stringify([{ src: 'a', dst: 'b', payload: '', frame: bytesToHex(data), time: 1700000000.25, direction: 'in', interface: 'eth0', link_type: 1, original_length: 100 }]);
  const { frames } = framesFromJsonText(json);
  assert.deepEqual(frames[0], { tsSec: 1700000000, tsUsec: 250000, interfaceName: 'eth0', direction: 'in', linkType: 1, originalLength: 100, data });
});

test('broken records are reported and the rest still load', () => {
  const { frames, problems } = framesFromJsonText(JSON.stringify([{ src: '1.2.3.4', dst: '5.6.7.8', payload: 'zz' }, { src: 'fd00::1', dst: 'fd00::2', payload: '00', src_port: '1', dst_port: '2' }, 7]));
  assert.equal(frames.length, 1);
  assert.equal(frames[0]?.data.length, 14 + 40 + 20 + 1);
  assert.equal(problems.length, 2);
  assert.match(problems[0] ?? '', /record 1: hex field is not valid hex/);
  assert.match(framesFromJsonText('{').problems[0] ?? '', /not valid JSON/);
});
