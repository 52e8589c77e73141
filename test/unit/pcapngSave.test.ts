/**
 * Save as pcapng from a capture tab of several containers: every packet of its spool
 * (a real CaptureSpool, written as a capture writes it), each on an interface named
 * `container/interface`, its direction in the packet flags and its container in a
 * comment, as tshark reads them; a packet both ends saw is one row, the sender's copy.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { encodePcapngCapture, pcapngFrame, spoolFrames } from '../../src/extension/save/pcapngSave';
import { CaptureSpool } from '../../src/extension/spool/captureSpool';
import { ensureSpoolFolder } from '../../src/extension/spool/spoolFolder';

const FIXTURE = join(__dirname, '..', 'fixtures', 'docker-bridge.pcap');

/** The fixture's packets as rows of a capture of web-1 and db-1 store them (timelineInterface.ts). */
function rows(): CapturedFrame[] {
  const names = ['web-1 -> db-1/eth0', 'db-1/eth0', 'web-1 -> db-1 (not seen arriving)/eth0', 'web-1/lo'];
  return readPcapFile(readFileSync(FIXTURE)).records.map((r, i) => ({ ...r, interfaceName: names[i % names.length] ?? 'eth0', direction: i % 2 === 0 ? 'out' : 'in' }));
}

function tsharkFields(file: string): string[][] {
  return execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.comment', '-e', 'frame.packet_flags_direction', '-e', 'frame.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim()
    .split('\n')
    .map((l) => l.split('|'));
}

describe('Save as pcapng', () => {
  it('names each row of several containers by its capturing container, as the CLI does', () => {
    assert.deepEqual(
      ['web-1 -> db-1/eth0', 'db-1/lo', 'web-1 -> db-1 (not seen arriving)/eth0', 'eth0'].map((interfaceName) => {
        const f = pcapngFrame({ tsSec: 1, tsUsec: 0, linkType: 1, originalLength: 0, data: new Uint8Array(0), direction: 'out', interfaceName });
        return [f.container, f.interfaceName];
      }),
      [['web-1', 'eth0'], ['db-1', 'lo'], ['web-1', 'eth0'], [undefined, 'eth0']],
    );
  });

  it('writes every packet of a real spool, which tshark reads with interfaces, directions and containers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnc-pcapng-save-'));
    try {
      const spool = await CaptureSpool.create(await ensureSpoolFolder(dir), 'project shop', () => undefined);
      const frames = rows();
      const writer = new FrameBatchWriter();
      for (const f of frames) writer.add(f);
      spool.append(writer.take());
      await spool.close();

      const read = await spoolFrames(spool.path);
      assert.equal(read.length, frames.length);
      const file = join(dir, 'saved.pcapng');
      writeFileSync(file, encodePcapngCapture(read));
      const fields = tsharkFields(file);
      assert.equal(fields.length, frames.length, 'every packet of the spool');
      const expected = ['web-1/eth0', 'db-1/eth0', 'web-1/eth0', 'web-1/lo'];
      for (const [i, [name, comment, flags, length]] of fields.entries()) {
        assert.equal(name, expected[i % 4]);
        assert.equal(comment, `container ${expected[i % 4]?.split('/')[0]}`);
        assert.equal(flags, i % 2 === 0 ? '0x00000002' : '0x00000001', `packet ${i + 1}: outbound 2, inbound 1`);
        assert.equal(Number(length), frames[i]?.originalLength);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
