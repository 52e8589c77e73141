/**
 * summarizeRow() is what the packet list stores for every packet: the columns and
 * the display filter's fields from one decode. It must give exactly what the two
 * separate passes gave (summarizeColumns, extractFrameFields), for any input, or a
 * filter would match different packets than before.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { summarizeColumns, summarizeRow } from '../../src/core/decode/index';
import { emptyFrameFields, extractFrameFields } from '../../src/core/filter/frameFields';
import { LinkType } from '../../src/core/packet';
import { RealisticTraffic } from '../../bench/lib/realisticTraffic';
import { SyntheticTraffic } from '../../bench/lib/syntheticTraffic';
import { buildFrame, fixtureFrames, mutate, Prng, toHexString } from '../support/fuzzInputs';

const REPO = join(__dirname, '..', '..');

function assertSameRow(data: Uint8Array, linkType: number, originalLength?: number): void {
  const expectedFields = emptyFrameFields();
  extractFrameFields(data, linkType, expectedFields);
  const c = summarizeColumns(data, linkType, originalLength);
  const expectedColumns = { src: c.src, dst: c.dst, protocol: c.protocol };
  // Stale values from another frame must not leak into this one's fields.
  const fields = { network: 9, networkOffset: 9, ipProtocol: 9, srcIpv4: 9, dstIpv4: 9, srcPort: 9, dstPort: 9, payloadOffset: 9, payloadLength: 9 };
  const row = summarizeRow(data, linkType, originalLength, fields);
  const where = `link type ${linkType}, frame ${toHexString(data, 256)}`;
  assert.deepEqual({ src: row.src, dst: row.dst, protocol: row.protocol }, expectedColumns, where);
  assert.deepEqual(fields, expectedFields, where);
}

test('one pass gives the columns and filter fields of the two passes on every fixture frame', () => {
  const frames = fixtureFrames(REPO);
  assert.ok(frames.length > 20);
  for (const f of frames) assertSameRow(f.data, f.linkType);
});

test('one pass agrees on both benchmark traffics, on generated and damaged frames, and under other link types', () => {
  const synthetic = new SyntheticTraffic(11);
  const realistic = new RealisticTraffic(12);
  for (let i = 0; i < 20_000; i++) {
    assertSameRow(synthetic.next().data, LinkType.ETHERNET);
    assertSameRow(realistic.next().data, LinkType.ETHERNET);
  }
  const r = new Prng(0x0e1e1e);
  for (let i = 0; i < 40_000; i++) {
    const { linkType, data } = buildFrame(r);
    const input = i % 2 === 0 ? data : mutate(r, data);
    assertSameRow(input, linkType, i % 3 === 0 ? input.length + 100 : undefined);
  }
});
