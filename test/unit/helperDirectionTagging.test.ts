/**
 * Which way a frame went, on every link type a capture can deliver: Ethernet
 * (per-interface captures), Linux cooked v1 and v2 (`-i any`), raw IP and
 * BSD loopback (no link addresses: "received"), and fixed-direction pipelines.
 * The fast Ethernet path must agree with the general one for every MAC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkType } from '../../src/core/packet';
import { sourceMac } from '../../src/core/decode/index';
import { directionOf, type PipelineSpec } from '../../src/helper/capturePlan';
import { directionTagger } from '../../src/helper/captureSession';

const OWN = '02:42:ac:11:00:02';
const OTHER = '02:42:ac:11:00:09';
const spec = (over: Partial<PipelineSpec> = {}): PipelineSpec => ({ interfaceName: 'eth0', argv: ['/usr/bin/tcpdump'], containerMacs: [OWN], ...over });
const mac = (text: string): number[] => text.split(':').map((h) => parseInt(h, 16));

function ethernet(src: string): Uint8Array {
  return Uint8Array.from([...mac('ff:ff:ff:ff:ff:ff'), ...mac(src), 0x08, 0x00, 0x45, 0, 0, 20]);
}
function sll(src: string, addrLen = 6): Uint8Array {
  // packet type, ARPHRD_ETHER, address length, 8 address bytes, protocol
  return Uint8Array.from([0, 4, 0, 1, 0, addrLen, ...mac(src), 0, 0, 0x08, 0x00, 0x45]);
}
function sll2(src: string, addrLen = 6): Uint8Array {
  // protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, 8 address bytes
  return Uint8Array.from([0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, addrLen, ...mac(src), 0, 0, 0x45]);
}

describe('direction tagging', () => {
  const tag = directionTagger(spec());

  it('Ethernet: from one of the container MACs = out, else in; the fast path agrees with directionOf', () => {
    assert.equal(tag(ethernet(OWN), LinkType.ETHERNET), 'out');
    assert.equal(tag(ethernet(OTHER), LinkType.ETHERNET), 'in');
    for (const m of [OWN, OTHER, 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', '02:42:ac:11:00:03']) {
      const frame = ethernet(m);
      assert.equal(tag(frame, LinkType.ETHERNET), directionOf(spec(), sourceMac(frame, LinkType.ETHERNET)), m);
    }
    assert.equal(tag(Uint8Array.from([1, 2, 3]), LinkType.ETHERNET), 'in', 'a truncated frame');
  });

  it('Linux cooked v1 and v2: the link-layer source address decides; a non-MAC address means in', () => {
    assert.equal(tag(sll(OWN), LinkType.LINUX_SLL), 'out');
    assert.equal(tag(sll(OTHER), LinkType.LINUX_SLL), 'in');
    assert.equal(tag(sll(OWN, 0), LinkType.LINUX_SLL), 'in');
    assert.equal(tag(sll2(OWN), LinkType.LINUX_SLL2), 'out');
    assert.equal(tag(sll2(OTHER), LinkType.LINUX_SLL2), 'in');
    assert.equal(tag(sll2(OWN, 4), LinkType.LINUX_SLL2), 'in');
  });

  it('raw IP and BSD loopback carry no link address: in, unless the pipeline has a fixed direction', () => {
    const ip = Uint8Array.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    assert.equal(tag(ip, LinkType.RAW), 'in');
    assert.equal(tag(ip, LinkType.IPV4), 'in');
    assert.equal(tag(Uint8Array.from([2, 0, 0, 0, ...ip]), LinkType.NULL), 'in');
    assert.equal(directionTagger(spec({ fixedDirection: 'out' }))(ip, LinkType.RAW), 'out');
  });

  it('loopback and -Q pipelines: every frame has the fixed direction, whatever its MAC', () => {
    const lo = directionTagger(spec({ interfaceName: 'lo', fixedDirection: 'out', containerMacs: [] }));
    assert.equal(lo(ethernet('00:00:00:00:00:00'), LinkType.ETHERNET), 'out');
    const ingress = directionTagger(spec({ fixedDirection: 'in' }));
    assert.equal(ingress(ethernet(OWN), LinkType.ETHERNET), 'in');
  });

  it('a pipeline with several container MACs (eth0 and eth1 of one container)', () => {
    const two = directionTagger(spec({ containerMacs: [OWN, '02:42:ac:12:00:02'] }));
    assert.equal(two(ethernet('02:42:ac:12:00:02'), LinkType.ETHERNET), 'out');
    assert.equal(two(ethernet(OTHER), LinkType.ETHERNET), 'in');
  });
});
