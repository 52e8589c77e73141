/**
 * The CLI's printer (src/cli/packetPrinter.ts) writes -j element by element: the
 * bytes must be the ones `JSON.stringify(records, null, 3)` gave when the whole
 * array was printed at the end, whatever the strings hold.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { CapturedFrame } from '../../src/core/packet';
import { formatSeedJsonArray, type SeedJsonRecord } from '../../src/core/seedFormat';
import { PacketPrinter, seedJsonArrayElement } from '../../src/cli/packetPrinter';
import { PrinterOutput } from '../../src/cli/printerOutput';
import { fromHex } from '../../src/core/hex';

const awkward: SeedJsonRecord = {
  payload: '00ff22',
  src_port: '',
  interface: 'e"th\\0',
  src: 'fd00::1',
  dst: '10.0.0.1',
  dst_port: '53',
  time: '2024-05-01T12:00:00.000001Z',
  direction: 'in',
  protocol: 'DNS',
  info: 'Standard query "x\u0001y" → \u2028 é \ud83d\ude00 \\ end',
  length: 0,
};

describe('-j written element by element', () => {
  it('one element is indented exactly as JSON.stringify(array, null, 3) indents it, escapes included', () => {
    for (const r of [awkward, { ...awkward, src_port: '65535', length: 262144, info: '' }]) {
      assert.equal(`[\n${seedJsonArrayElement(r)}\n]`, formatSeedJsonArray([r]));
      assert.equal(`[\n${seedJsonArrayElement(r)},\n${seedJsonArrayElement(r)}\n]`, formatSeedJsonArray([r, r]));
    }
  });

  it('the printer ends an empty capture with [] and a non-empty one with the same bytes as the whole array', async () => {
    const print = async (frames: CapturedFrame[]): Promise<string> => {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
      const printer = new PacketPrinter('json', new PrinterOutput(stream, () => undefined));
      for (const f of frames) printer.add(f);
      printer.finish();
      await new Promise((r) => setImmediate(r));
      return text;
    };
    assert.equal(await print([]), '[]\n');
    // An Ethernet/IPv4/UDP frame, 10.0.0.1:5353 -> 10.0.0.2:9999, payload "hi".
    const data = fromHex('0242ac1100020242ac1100030800 4500001e000100004011 0000 0a000001 0a000002 14e9270f000a0000 6869');
    const frame: CapturedFrame = { tsSec: 1_700_000_000, tsUsec: 5, interfaceName: 'eth0', direction: 'out', linkType: 1, originalLength: data.length, data };
    const text = await print([frame, { ...frame, direction: 'in' }]);
    const records = JSON.parse(text) as SeedJsonRecord[];
    assert.equal(text, formatSeedJsonArray(records) + '\n');
    assert.deepEqual(records.map((r) => [r.payload, r.src_port, r.dst_port, r.direction]), [['6869', '5353', '9999', 'out'], ['6869', '5353', '9999', 'in']]);
  });
});
