/**
 * summarizeColumns() is what the packet list stores for every packet; the Info text
 * comes later from summarize(). Both must show the same Source, Destination and
 * Protocol for any input, or a row would change protocol between views.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { summarize, summarizeColumns } from '../../src/core/decode/index';
import { buildFrame, fixtureFrames, mutate, Prng, toHexString } from '../support/fuzzInputs';
import { SyntheticTraffic } from '../../bench/lib/syntheticTraffic';

const REPO = join(__dirname, '..', '..');

function assertSameColumns(data: Uint8Array, linkType: number, originalLength?: number): void {
  const full = summarize(data, linkType, originalLength);
  const columns = summarizeColumns(data, linkType, originalLength);
  const got = { src: columns.src, dst: columns.dst, protocol: columns.protocol };
  assert.deepEqual(got, { src: full.src, dst: full.dst, protocol: full.protocol }, `link type ${linkType}, frame ${toHexString(data, 256)}`);
}

test('columns agree with summarize on every captured fixture frame', () => {
  const frames = fixtureFrames(REPO);
  assert.ok(frames.length > 20);
  const protocols = new Set<string>();
  for (const f of frames) {
    assertSameColumns(f.data, f.linkType);
    protocols.add(summarizeColumns(f.data, f.linkType).protocol);
  }
  for (const p of ['TCP', 'UDP', 'DNS', 'HTTP', 'TLS', 'ICMP', 'ICMPv6']) assert.ok(protocols.has(p), `fixtures cover ${p}: ${[...protocols].join(', ')}`);
});

test('columns agree with summarize on the benchmark traffic and on generated and damaged frames', () => {
  const traffic = new SyntheticTraffic(11);
  for (let i = 0; i < 20_000; i++) assertSameColumns(traffic.next().data, 1);
  const r = new Prng(0xc01c01);
  for (let i = 0; i < 30_000; i++) {
    const { linkType, data } = buildFrame(r);
    const input = i % 2 === 0 ? data : mutate(r, data);
    assertSameColumns(input, linkType, i % 3 === 0 ? input.length + 100 : undefined);
  }
});
