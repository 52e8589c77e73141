import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBpfFilter, checkFilterText, tcpdumpCompileArgs, tcpdumpErrorText } from '../../src/extension/filter/bpfFilterCheck';
import { oracleMissing } from './oracle';

test('text checks reject empty, control characters and over-long filters before tcpdump runs', () => {
  assert.match(checkFilterText('  ') ?? '', /Enter a BPF expression/);
  assert.match(checkFilterText('tcp\nport 80') ?? '', /control character \(U\+000A\)/);
  assert.match(checkFilterText('tcp port 80\u0000') ?? '', /U\+0000/);
  assert.match(checkFilterText('a'.repeat(1025)) ?? '', /too long/);
  assert.equal(checkFilterText('tcp port 80 and host 172.17.0.2'), undefined);
});

test('the filter goes to tcpdump as one argument after --', () => {
  const args = tcpdumpCompileArgs('/tmp/x/empty.pcap', '-w /etc/passwd');
  assert.deepEqual(args, ['-d', '-y', 'EN10MB', '-r', '/tmp/x/empty.pcap', '--', '-w /etc/passwd']);
});

test('tcpdump error text keeps its own message and drops the "reading from file" line', () => {
  const stderr = 'reading from file /tmp/e.pcap, link-type EN10MB (Ethernet), snapshot length 262144\ntcpdump: can\'t parse filter expression: syntax error\n';
  assert.equal(tcpdumpErrorText(stderr), "can't parse filter expression: syntax error");
});

test('real tcpdump accepts a valid filter and explains an invalid one', { skip: oracleMissing('tcpdump') }, async () => {
  assert.deepEqual(await checkBpfFilter('tcp port 80 or udp port 53'), { ok: true });
  const bad = await checkBpfFilter('tcp port 80 and');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.message, /syntax error/);
  const unknownHost = await checkBpfFilter('portt 80');
  assert.equal(unknownHost.ok, false);
});

test('a missing tcpdump says how to install it', async () => {
  const result = await checkBpfFilter('tcp', '/nonexistent/tcpdump');
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.message, /apt-get install tcpdump/);
});
