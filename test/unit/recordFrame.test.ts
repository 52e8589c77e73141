/**
 * Opening a pcapng file gives the inspector the packets that were saved, and
 * nothing else: the reader's own findings about a record (where its bytes lay
 * in the file, its comment) stay out of the frames, so a frame read from a file
 * equals the frame that was written.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { decodeCaptureFile } from '../../src/extension/save/captureEncoding';
import { encodePcapngCapture } from '../../src/extension/save/pcapngSave';

const FIXTURE = join(__dirname, '..', 'fixtures', 'docker-bridge.pcap');

describe('a capture file read back as frames', () => {
  it('a pcapng written from frames opens as exactly those frames', () => {
    const written: CapturedFrame[] = readPcapFile(readFileSync(FIXTURE)).records.map((r, i) => ({
      tsSec: r.tsSec, tsUsec: r.tsUsec, originalLength: r.originalLength, data: r.data, linkType: r.linkType,
      interfaceName: i % 2 === 0 ? 'eth0' : 'lo', direction: i % 3 === 0 ? 'out' : 'in',
    }));
    assert.ok(written.length > 1);
    const opened = decodeCaptureFile('saved.pcapng', encodePcapngCapture(written));
    assert.equal(opened.problem, undefined);
    const plain = (f: CapturedFrame): object => ({ ...f, data: Buffer.from(f.data).toString('hex') });
    assert.deepEqual(opened.frames.map(plain), written.map(plain));
  });
});
