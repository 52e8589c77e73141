/**
 * The `container/interface` label that one root helper capturing several
 * containers puts on each frame, and that the printer splits again: every
 * name Docker allows survives the round trip; a plain interface name (a
 * one-container capture) is not mistaken for a label.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerInterfaceLabel, isLabelableContainerName, splitContainerInterfaceLabel } from '../../src/protocol/containerInterfaceLabel';

describe('container/interface labels', () => {
  it('round trip for Docker names and interface names, within a frame batch name (255 bytes)', () => {
    for (const [container, iface] of [['web-1', 'eth0'], ['proj_client_2', 'lo'], ['a.b-c_d', 'eth1@if9'], ['x'.repeat(200), 'abcdefghijklmno']] as const) {
      assert.ok(isLabelableContainerName(container), container);
      const label = containerInterfaceLabel(container, iface);
      assert.ok(label.length <= 255);
      assert.deepEqual(splitContainerInterfaceLabel(label), { container, interfaceName: iface });
    }
  });

  it('names that could break the label are not labelable', () => {
    for (const name of ['', 'a/b', '-web', '.web', 'x'.repeat(201), 'wé', 'a b', 'web\n']) assert.equal(isLabelableContainerName(name), false, JSON.stringify(name));
  });

  it('a plain interface name is no label', () => {
    for (const name of ['eth0', 'lo', '/eth0', 'web/']) assert.equal(splitContainerInterfaceLabel(name), undefined, name);
  });
});
