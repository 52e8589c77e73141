/**
 * The Wireshark syntax added to the filter language, where tshark is no help:
 * its errors, said with a column, and spellings it does not share.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter } from '../../src/core/filter/index';

function errorOf(expression: string): string {
  const compiled = compileFilter(expression, { hostnames: {} });
  if (compiled.ok) assert.fail(`'${expression}' should not compile`);
  return compiled.message;
}

test('set, regex and type errors say what is wrong and where', () => {
  assert.equal(errorOf('tcp.port in {}'), 'an empty set at column 13');
  assert.equal(errorOf('tcp.port in {80'), "expected '}' to close the '{' at column 13");
  assert.match(errorOf('frame matches "("'), /^invalid regular expression at column 15: /);
  assert.equal(errorOf('http.request.method > "GET"'), "'http.request.method' can only be compared with == or != (column 21)");
  assert.equal(errorOf('frame == 1'), `use 'contains' or 'matches' with frame, e.g. frame contains "GET" (column 7)`);
  assert.equal(errorOf('eth.addr == 1.2.3.4'), "'1.2.3.4' is not a MAC address like 02:42:ac:11:00:02 (column 13)");
  assert.equal(errorOf('tcp.len contains "x"'), "'contains' works on text and bytes fields, not 'tcp.len' (column 1)");
  assert.equal(errorOf('tcp.bogus == 1'), "unknown field 'tcp.bogus' at column 1");
});

test('Wireshark spellings: ~ for matches, sets with or without commas, true/false for flags', () => {
  for (const ok of ['frame ~ "get"', 'tcp.port in {80 443}', 'tcp.port in {80, 443, 8000..8080}', 'tcp.flags.syn == true', 'not tcp.flags.ack', 'eth.src == 02-42-AC-11-00-02']) {
    const compiled = compileFilter(ok, { hostnames: {} });
    assert.ok(compiled.ok, `${ok}: ${compiled.ok ? '' : compiled.message}`);
  }
});
