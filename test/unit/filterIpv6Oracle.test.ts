/**
 * IPv6 source and destination in the display filter, on real captures, against
 * tshark's answer on the same files. loopback-ipv6.pcap is ::1 -> ::1 only, where
 * a source/destination mix-up cannot show; loopback-ipv6-two-addresses.pcap
 * (ping6, an HTTP exchange and a UDP datagram between fd00:d0c::a and
 * fd00:d0c::b on the loopback of a private network namespace) has traffic both
 * ways, so `ip.src` and `ip.dst` must pick opposite halves of it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { summarize } from '../../src/core/decode/index';
import { compileFilter, FilteredRows } from '../../src/core/filter/index';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import { PacketStore } from '../../src/core/packetStore';
import { oracleMissing } from './oracle';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const TWO = 'loopback-ipv6-two-addresses.pcap';
const A = 'fd00:d0c::a';
const B = 'fd00:d0c::b';

function storeOf(name: string): PacketStore {
  const file = readPcapFile(readFileSync(join(FIXTURES, name)));
  assert.equal(file.error, undefined);
  const store = new PacketStore({ maxPackets: 1000, summarize });
  for (const r of file.records) {
    store.append({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'lo', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data });
  }
  return store;
}

function ours(name: string, expression: string): number[] {
  const compiled = compileFilter(expression, { hostnames: {} });
  if (!compiled.ok) assert.fail(`'${expression}' did not compile: ${compiled.message}`);
  const rows = new FilteredRows(storeOf(name));
  rows.setPredicate(compiled.predicate);
  return [...rows.toArray()];
}

function tsharks(name: string, expression: string): number[] {
  const out = execFileSync('tshark', ['-r', join(FIXTURES, name), '-Y', expression, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.split('\n').filter(Boolean).map(Number);
}

// Our expression, and Wireshark's spelling of the same question.
const CASES: [string, string][] = [
  [`ip.src == ${A}`, `ipv6.src == ${A}`],
  [`ip.dst == ${A}`, `ipv6.dst == ${A}`],
  [`ipv6.src == ${B}`, `ipv6.src == ${B}`],
  [`ipv6.dst == ${B}`, `ipv6.dst == ${B}`],
  [`src == ${A} && udp`, `ipv6.src == ${A} && udp`],
  [`ip.dst == ${A} && tcp.port == 8080`, `ipv6.dst == ${A} && tcp.port == 8080`],
  [`ip.addr == ${B}`, `ipv6.addr == ${B}`],
  [`ip.src != ${A}`, `!(ipv6.src == ${A})`],
];

describe('IPv6 ip.src / ip.dst on a real capture', () => {
  it('source and destination pick opposite halves of a two-way exchange (fixed answer, no tshark needed)', () => {
    // Frames 1, 3, 5, 7, 8, 11, 13, 15 go a -> b; 2, 4, 6, 9, 10, 12, 14 go b -> a.
    assert.deepEqual(ours(TWO, `ip.src == ${A}`), [1, 3, 5, 7, 8, 11, 13, 15]);
    assert.deepEqual(ours(TWO, `ip.dst == ${A}`), [2, 4, 6, 9, 10, 12, 14]);
    assert.deepEqual(ours(TWO, `ip.src == ${B} && ip.dst == ${A}`), [2, 4, 6, 9, 10, 12, 14]);
    assert.deepEqual(ours(TWO, `ip.src == ${B} && ip.dst == ${B}`), []);
    assert.deepEqual(ours('loopback-ipv6.pcap', 'ip.src == ::1').length, 18);
    assert.deepEqual(ours('loopback-ipv6.pcap', 'ip.dst == ::2'), []);
  });

  // The skip sits on each test, not on the suite: node counts skipped tests only.
  const tsharkMissing = oracleMissing('tshark');
  describe('agrees with tshark', () => {
    for (const [mine, theirs] of CASES) {
      it(`${mine}  ~  tshark -Y '${theirs}'`, { skip: tsharkMissing }, () => {
        const expected = tsharks(TWO, theirs);
        assert.ok(expected.length > 0, 'the oracle selects something');
        assert.deepEqual(ours(TWO, mine), expected);
      });
    }
  });
});
