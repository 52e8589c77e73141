/**
 * What the root helper accepts from a less trusted process: each value held to
 * the narrowest useful form, each refusal a clear one-line error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_FILTER_LENGTH,
  parseDirection,
  validateContainerId,
  validateFilter,
  validateInterfaceName,
  validateMac,
  validateRequest,
} from '../../src/protocol/requestValidation';

const valid = { container: 'web', direction: 'egress', mode: { kind: 'namespace' } };

describe('validateRequest', () => {
  it('keeps a valid request and drops zero limits', () => {
    assert.deepEqual(validateRequest({ ...valid, filter: ' tcp ', snapLength: 0, limits: { count: 5, durationSeconds: 0 } }), {
      container: 'web',
      direction: 'egress',
      mode: { kind: 'namespace' },
      filter: 'tcp',
      snapLength: undefined,
      limits: { count: 5, durationSeconds: undefined, maxBytes: undefined },
    });
    assert.deepEqual(validateRequest({ ...valid, mode: { kind: 'bridge', bridge: 'br-1' }, snapLength: 262144 }).mode, { kind: 'bridge', bridge: 'br-1' });
    assert.equal(validateRequest({ ...valid, snapLength: 262144 }).snapLength, 262144);
    assert.equal(validateRequest({ ...valid, limits: { durationSeconds: 31 * 24 * 3600 } }).limits?.durationSeconds, 31 * 24 * 3600);
  });

  const refused: [string, unknown, RegExp][] = [
    ['not an object', 'x', /not an object/],
    ['null', null, /not an object/],
    ['no container', { ...valid, container: '' }, /no valid container/],
    ['container not text', { ...valid, container: 7 }, /no valid container/],
    ['container too long', { ...valid, container: 'a'.repeat(257) }, /no valid container/],
    ['unknown direction', { ...valid, direction: 'out' }, /direction must be/],
    ['unknown mode', { ...valid, mode: { kind: 'host' } }, /capture mode/],
    ['bridge without name', { ...valid, mode: { kind: 'bridge' } }, /capture mode/],
    ['bridge name as option', { ...valid, mode: { kind: 'bridge', bridge: '-i' } }, /interface name/],
    ['filter not text', { ...valid, filter: 3 }, /must be text/],
    ['negative snap length', { ...valid, snapLength: -1 }, /snap length must be a whole number between 0 and 262144/],
    ['snap length too big', { ...valid, snapLength: 262145 }, /snap length/],
    ['fractional count', { ...valid, limits: { count: 1.5 } }, /packet count/],
    ['duration as text', { ...valid, limits: { durationSeconds: '5' } }, /duration/],
    ['duration over a month', { ...valid, limits: { durationSeconds: 31 * 24 * 3600 + 1 } }, /duration/],
    ['size limit negative', { ...valid, limits: { maxBytes: -5 } }, /size limit/],
  ];
  for (const [what, raw, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => validateRequest(raw), (e: Error & { code?: string }) => {
        assert.match(e.message, message);
        assert.ok(!e.message.includes('\n'), 'one line');
        return true;
      });
    });
  }
  it('accepts both directions, a null limit as none, and quotes at most a short piece of a bad value', () => {
    assert.equal(validateRequest({ ...valid, direction: 'both' }).direction, 'both');
    assert.equal(validateRequest({ ...valid, direction: 'ingress' }).direction, 'ingress');
    assert.equal(validateRequest({ ...valid, snapLength: null }).snapLength, undefined);
    assert.throws(() => validateInterfaceName('x'.repeat(100)), (e: Error) => e.message.length < 80);
    assert.throws(() => validateMac('z'.repeat(100)), (e: Error) => e.message.length < 80);
    assert.throws(() => validateContainerId('z'.repeat(200)), (e: Error) => e.message.length < 120);
  });

  it('accepts a container name of exactly 256 characters', () => {
    assert.equal(validateRequest({ ...valid, container: 'a'.repeat(256) }).container.length, 256);
  });
});

describe('field validators', () => {
  it('filters: trimmed, empty is none, bounded, no control characters, no leading dash, balanced parentheses', () => {
    assert.equal(validateFilter(undefined), undefined);
    assert.equal(validateFilter('   '), undefined);
    assert.equal(validateFilter(' (tcp) and (port 80) '), '(tcp) and (port 80)');
    assert.equal(validateFilter('x'.repeat(MAX_FILTER_LENGTH)), 'x'.repeat(MAX_FILTER_LENGTH));
    assert.throws(() => validateFilter('x'.repeat(MAX_FILTER_LENGTH + 1)), /longer than 4096/);
    assert.throws(() => validateFilter('tcp\nudp'), /control characters/);
    assert.throws(() => validateFilter('tcp\x7f'), /control characters/);
    assert.throws(() => validateFilter('-w /etc/passwd'), /must not start with "-"/);
    assert.throws(() => validateFilter('tcp) or (udp'), /unmatched "\)"/);
    assert.throws(() => validateFilter('(tcp'), /unmatched "\("/);
    assert.throws(() => validateFilter(')('), /unmatched "\)"/);
  });

  it('interface names: what the kernel allows, never an option or a path step', () => {
    for (const ok of ['eth0', 'br-1a2b', 'veth1@if5', 'a.b', 'x'.repeat(15)]) assert.equal(validateInterfaceName(ok), ok);
    for (const bad of ['', '-i', '.', '..', 'x'.repeat(16), 'eth 0', 'eth0;', 'a/b']) assert.throws(() => validateInterfaceName(bad), /not a valid interface name/, bad);
  });

  it('MACs are lower-cased; anything else is refused', () => {
    assert.equal(validateMac('02:42:AC:11:00:02'), '02:42:ac:11:00:02');
    for (const bad of ['02:42:ac:11:00', '02-42-ac-11-00-02', '02:42:ac:11:00:02:03', 'zz:42:ac:11:00:02', ' 02:42:ac:11:00:02']) assert.throws(() => validateMac(bad), /not a MAC/, bad);
  });

  it('container ids are the full 64 lower-case hex digits (a prefix could match another container\'s cgroup)', () => {
    assert.equal(validateContainerId('0'.repeat(64)), '0'.repeat(64));
    for (const bad of ['a'.repeat(12), 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), 'g'.repeat(64), ` ${'a'.repeat(64)}`]) assert.throws(() => validateContainerId(bad), /not a container id/, bad);
  });

  it("parseDirection reads the CLI's -c in any order and case", () => {
    assert.equal(parseDirection('egress'), 'egress');
    assert.equal(parseDirection(' Ingress '), 'ingress');
    assert.equal(parseDirection('INGRESS,egress'), 'both');
    assert.equal(parseDirection('egress,,egress'), 'egress');
    assert.throws(() => parseDirection('both'), /unknown direction "both"/);
    assert.throws(() => parseDirection(' , '), /no direction given/);
  });
});
