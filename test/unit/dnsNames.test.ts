/**
 * DNS names in the Info line: the summary reads a question's name through a cache of
 * names by their text and checks record owners without making their text. These tests
 * hold the shown text and the malformed verdicts to what the full read gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dissect, summarize } from '../../src/core/decode';
import { dnsQuery, ipv4Frame } from './filterTestFrames';

function udpDns(payload: Uint8Array, srcPort = 40000, dstPort = 53): Uint8Array {
  return ipv4Frame({ src: '172.17.0.2', dst: '172.17.0.3', transport: 'udp', srcPort, dstPort, payload }).data;
}

/** A query whose name is given as raw labels (bytes), type A, class IN. */
function rawQuery(labels: number[][], id = 0x1234): Uint8Array {
  const out = [id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const label of labels) out.push(label.length, ...label);
  out.push(0, 0, 1, 0, 1);
  return Uint8Array.from(out);
}

/** A response to `name` with one A answer and one authority record whose owner is `authorityOwner`. */
function response(name: string, authorityOwner: number[]): Uint8Array {
  const query = dnsQuery(name, 0xbeef);
  const out = [...query];
  out[2] = 0x81;
  out[3] = 0x80;
  out[7] = 1; // one answer
  out[9] = 1; // one authority record
  out.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7);
  out.push(...authorityOwner, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12);
  return Uint8Array.from(out);
}

describe('DNS names in the Info line', () => {
  it('many different names read in turn, each again later, are each shown as their own', () => {
    const names = Array.from({ length: 700 }, (_, i) => `svc-${i}.ns${i % 7}.example.test`);
    for (let round = 0; round < 2; round++) {
      for (const [i, name] of names.entries()) {
        const id = (i * 37 + round) & 0xffff;
        const info = summarize(udpDns(dnsQuery(name, id)), 1).info;
        assert.equal(info, `Standard query 0x${id.toString(16).padStart(4, '0')} A ${name}`);
      }
    }
  });

  it('shows bytes that are not printable ASCII as \\xNN, in the summary and the detail alike', () => {
    const frame = udpDns(rawQuery([[0x61, 0x01, 0x62], [0x20, 0x7f, 0xff], [0x74]]));
    const expected = 'a\\x01b. \\x7f\\xff.t';
    assert.equal(summarize(frame, 1).info, `Standard query 0x1234 A ${expected}`);
    const dnsLayer = dissect(frame, 1).find((l) => l.name === 'Domain Name System');
    assert.ok(dnsLayer?.fields.some((f) => f.value === `${expected}: type A, class IN`));
  });

  it('a name longer than 1,024 characters as shown is malformed, one just under it is not', () => {
    // 16 labels of 63 bytes: 1,023 characters with the dots.
    const fits = Array.from({ length: 16 }, () => Array.from({ length: 63 }, () => 0x61));
    assert.equal(summarize(udpDns(rawQuery(fits)), 1).malformed, undefined);
    // The same length in bytes, one of them shown as \x00: 1,026 characters.
    const tooLong = fits.map((l, i) => (i === 0 ? [0, ...l.slice(1)] : l));
    assert.match(summarize(udpDns(rawQuery(tooLong)), 1).malformed ?? '', /DNS question/);
  });

  it('shows the answers; an authority record whose owner name is broken makes the message malformed in both views', () => {
    const good = summarize(udpDns(response('api.example.test', [0xc0, 12]), 53, 40000), 1);
    assert.equal(good.info, 'Standard query response 0xbeef A api.example.test A 10.0.0.7');
    assert.equal(good.malformed, undefined);
    // The owner points past the message's end.
    const broken = udpDns(response('api.example.test', [0xc0, 0xf0]), 53, 40000);
    const s = summarize(broken, 1);
    assert.equal(s.info, 'Standard query response 0xbeef A api.example.test A 10.0.0.7 [Malformed: DNS resource record truncated or its name is invalid]');
    assert.equal(s.malformed, 'DNS resource record truncated or its name is invalid');
    const layers = dissect(broken, 1);
    assert.ok(layers.some((l) => l.fields.some((f) => f.value === 'DNS resource record truncated or its name is invalid')));
  });
});
