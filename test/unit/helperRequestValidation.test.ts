/**
 * Every field of a capture request, as the root helper re-checks it: what is
 * accepted (normalised how), and what is refused with which error code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { MAX_FILTER_LENGTH, parseDirection, validateContainerId, validateFilter, validateInterfaceName, validateMac, validateRequest } from '../../src/protocol/requestValidation';

function refusedWith(code: string, fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => isCaptureError(e) && e.code === code && (!message || message.test(e.message)));
}

const base = { container: 'web', direction: 'both', mode: { kind: 'namespace' } };

describe('request validation', () => {
  it('a minimal request, and one with every field', () => {
    assert.deepEqual(validateRequest(base), { container: 'web', direction: 'both', mode: { kind: 'namespace' }, filter: undefined, snapLength: undefined, limits: { count: undefined, durationSeconds: undefined, maxBytes: undefined } });
    const full = validateRequest({ ...base, direction: 'egress', mode: { kind: 'bridge', bridge: 'br-1a2b3c' }, filter: ' udp ', snapLength: 128, limits: { count: 5, durationSeconds: 10, maxBytes: 1000 } });
    assert.deepEqual(full, { container: 'web', direction: 'egress', mode: { kind: 'bridge', bridge: 'br-1a2b3c' }, filter: 'udp', snapLength: 128, limits: { count: 5, durationSeconds: 10, maxBytes: 1000 } });
    assert.equal(validateRequest({ ...base, snapLength: 0, limits: { count: 0 } }).snapLength, undefined, '0 means none');
  });

  it('malformed shapes', () => {
    for (const raw of [null, undefined, 'x', 42, []]) refusedWith('invalid-request', () => validateRequest(raw));
    refusedWith('invalid-request', () => validateRequest({ ...base, container: '' }), /container/);
    refusedWith('invalid-request', () => validateRequest({ ...base, container: 'x'.repeat(257) }), /container/);
    refusedWith('invalid-request', () => validateRequest({ ...base, container: 7 }), /container/);
    for (const direction of ['in', 'out', 'BOTH', '', undefined, 'both;id']) refusedWith('invalid-request', () => validateRequest({ ...base, direction }), /direction/);
    for (const mode of [undefined, {}, { kind: 'host' }, { kind: 'bridge' }, { kind: 'bridge', bridge: 5 }]) refusedWith('invalid-request', () => validateRequest({ ...base, mode }), /mode/);
    refusedWith('invalid-request', () => validateRequest({ ...base, mode: { kind: 'bridge', bridge: '-i' } }), /interface name/);
    refusedWith('invalid-filter', () => validateRequest({ ...base, filter: 42 }), /must be text/);
  });

  it('numbers: whole, not negative, bounded', () => {
    for (const snapLength of [-1, 1.5, '96', 262145, Number.NaN]) refusedWith('invalid-request', () => validateRequest({ ...base, snapLength }), /snap length/);
    refusedWith('invalid-request', () => validateRequest({ ...base, limits: { count: -3 } }), /packet count/);
    refusedWith('invalid-request', () => validateRequest({ ...base, limits: { durationSeconds: 32 * 24 * 3600 } }), /duration/);
    refusedWith('invalid-request', () => validateRequest({ ...base, limits: { maxBytes: '1e9' } }), /size limit/);
  });

  it('filters: trimmed; refused when too long, with control characters, starting with "-", or with parentheses that do not balance', () => {
    assert.equal(validateFilter(undefined), undefined);
    assert.equal(validateFilter('  '), undefined);
    assert.equal(validateFilter(' (tcp and (port 80 or port 443)) '), '(tcp and (port 80 or port 443))');
    assert.equal(validateFilter('x'.repeat(MAX_FILTER_LENGTH))?.length, MAX_FILTER_LENGTH);
    refusedWith('invalid-filter', () => validateFilter('x'.repeat(MAX_FILTER_LENGTH + 1)), /longer/);
    for (const f of ['tcp\nport 1', 'tcp\0', 'a\x1b[0m', 'udp\x7f']) refusedWith('invalid-filter', () => validateFilter(f), /control characters/);
    refusedWith('invalid-filter', () => validateFilter('-w /tmp/x'), /must not start/);
    refusedWith('invalid-filter', () => validateFilter('tcp) or (udp'), /unmatched "\)"/);
    refusedWith('invalid-filter', () => validateFilter('(tcp'), /unmatched "\("/);
  });

  it('interface names, MACs and container ids', () => {
    for (const name of ['eth0', 'lo', 'br-0123456789ab', 'veth1@if2', 'a.b:c_d']) assert.equal(validateInterfaceName(name), name);
    for (const name of ['', '-i', '--help', '.', '..', 'a'.repeat(16), 'eth 0', 'eth0;id', 'eth/0', 'é']) refusedWith('invalid-request', () => validateInterfaceName(name));
    assert.equal(validateMac('02:42:AC:11:00:02'), '02:42:ac:11:00:02');
    for (const mac of ['02:42:ac:11:00', '02-42-ac-11-00-02', '02:42:ac:11:00:02:03', 'zz:42:ac:11:00:02']) refusedWith('invalid-request', () => validateMac(mac));
    assert.equal(validateContainerId('0123456789abcdef'.repeat(4)), '0123456789abcdef'.repeat(4));
    for (const id of ['0123456789ab', 'A'.repeat(64), `${'a'.repeat(63)};`, 'a'.repeat(65)]) refusedWith('invalid-request', () => validateContainerId(id), /not a container id/);
  });

  it("the CLI's -c: any order and case, both when both", () => {
    assert.equal(parseDirection('egress'), 'egress');
    assert.equal(parseDirection('Ingress'), 'ingress');
    assert.equal(parseDirection('ingress, EGRESS'), 'both');
    refusedWith('invalid-request', () => parseDirection('sideways'), /unknown direction/);
    refusedWith('invalid-request', () => parseDirection(' , '), /no direction/);
  });
});
