/**
 * The root helper's checks on a container's namespace, as pure functions:
 * the exact cgroup a container's process must sit in, interfaces from
 * `ip -j link` (real output shapes), a bridge's ports read from a sysfs tree,
 * the veth pairing that ties a bridge to the container, and the packet
 * reader's own confinement check on /proc/self/status.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bridgeHoldsContainer, cgroupNamesContainer, hostBridgePorts, parseIpLinks } from '../../src/helper/namespaceInterfaces';
import { confinementProblem } from '../../src/helper/confinement';

const ID = '26460f96e3479122a607603c953ae557f9e91f5db8edcb8d156198936c0ed243';

describe('cgroup: the container id, matched exactly', () => {
  it('accepts the cgroup paths Docker and Podman put a container in (v1 and v2, cgroupfs and systemd)', () => {
    assert.ok(cgroupNamesContainer(`12:pids:/docker/${ID}\n0::/docker/${ID}\n`, ID));
    assert.ok(cgroupNamesContainer(`0::/system.slice/docker-${ID}.scope\n`, ID));
    assert.ok(cgroupNamesContainer(`0::/machine.slice/libpod-${ID}.scope/container\n`, ID));
  });

  it('refuses a process outside any container whose cgroup merely contains the id, and an abbreviated id', () => {
    const user = `0::/user.slice/user-1000.slice/user@1000.service/app.slice/${ID}\n`;
    assert.equal(cgroupNamesContainer(user, ID), false);
    assert.equal(cgroupNamesContainer(`0::/user.slice/user-1000.slice/user@1000.service/docker/${ID}\n`, ID), false);
    assert.equal(cgroupNamesContainer(`0::/docker/${ID}-evil\n`, ID), false);
    assert.equal(cgroupNamesContainer(`0::/docker/${ID}/nested\n`, ID), false);
    assert.equal(cgroupNamesContainer(`0::/docker/${ID.slice(0, 12)}\n`, ID.slice(0, 12)), false);
    assert.equal(cgroupNamesContainer('0::/\n', ID), false);
    assert.equal(cgroupNamesContainer('', ID), false);
  });
});

describe('interfaces from ip -j link (netlink, inside the namespace)', () => {
  const real = JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], link_type: 'loopback', address: '00:00:00:00:00:00' },
    { ifindex: 2, ifname: 'tunl0', flags: ['NOARP'], link_type: 'ipip', address: '0.0.0.0' },
    { ifindex: 14, link_index: 15, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], link_type: 'ether', address: '02:42:AC:11:00:03', link_netnsid: 0 },
    { ifindex: 20, link_index: 21, ifname: 'eth1', flags: ['UP'], link_type: 'ether', address: '02:42:ac:12:00:03', link_netnsid: 0 },
    { ifindex: 30, ifname: 'wg0', flags: ['POINTOPOINT', 'UP'], link_type: 'none' },
  ]);

  it('up interfaces only, loopback last, MACs lower-cased, veth peers noted', () => {
    assert.deepEqual(parseIpLinks(real), [
      { name: 'eth0', loopback: false, mac: '02:42:ac:11:00:03', index: 14, peerIndex: 15 },
      { name: 'eth1', loopback: false, mac: '02:42:ac:12:00:03', index: 20, peerIndex: 21 },
      { name: 'wg0', loopback: false, index: 30 },
      { name: 'lo', loopback: true, index: 1 },
    ]);
  });

  it('what the container controls is validated: a name that could be an option is refused, odd entries skipped', () => {
    assert.throws(() => parseIpLinks(JSON.stringify([{ ifindex: 3, ifname: '-w', flags: ['UP'] }])), /not a valid interface name/);
    assert.deepEqual(parseIpLinks(JSON.stringify([null, 5, { ifname: 7, flags: ['UP'] }, { ifindex: 'x', ifname: 'e', flags: ['UP'], address: 'nonsense' }])), [{ name: 'e', loopback: false }]);
    assert.deepEqual(parseIpLinks(JSON.stringify([{ ifindex: 4, link_index: 9, ifname: 'macv', flags: ['UP'] }])), [{ name: 'macv', loopback: false, index: 4 }], 'a link in the same namespace is no veth peer');
    assert.throws(() => parseIpLinks('not json'), /no valid JSON/);
    assert.throws(() => parseIpLinks('{}'), /no list/);
  });
});

describe('bridge ports, from a sysfs tree', () => {
  const sys = mkdtempSync(join(tmpdir(), 'dnc-unit-sys-'));
  after(() => rmSync(sys, { recursive: true, force: true }));
  const iface = (name: string, index: number, link: number): void => {
    mkdirSync(join(sys, name), { recursive: true });
    writeFileSync(join(sys, name, 'ifindex'), `${index}\n`);
    writeFileSync(join(sys, name, 'iflink'), `${link}\n`);
  };
  iface('docker0', 5, 5);
  mkdirSync(join(sys, 'docker0', 'bridge'));
  mkdirSync(join(sys, 'docker0', 'brif'));
  iface('veth41e9cd2', 15, 14);
  mkdirSync(join(sys, 'docker0', 'brif', 'veth41e9cd2'));
  iface('vethother', 17, 16);
  mkdirSync(join(sys, 'docker0', 'brif', 'vethother'));
  iface('eth0', 2, 2);

  it('a bridge lists its ports with their peers; anything else is not a bridge', () => {
    assert.deepEqual(hostBridgePorts('docker0', sys)?.sort((a, b) => a.index - b.index), [
      { name: 'veth41e9cd2', index: 15, peerIndex: 14 },
      { name: 'vethother', index: 17, peerIndex: 16 },
    ]);
    assert.equal(hostBridgePorts('eth0', sys), undefined);
    assert.equal(hostBridgePorts('nosuch', sys), undefined);
    assert.throws(() => hostBridgePorts('../etc', sys), /not a valid interface name/);
  });

  it('the bridge holds the container when a port and a container veth name each other', () => {
    const ports = hostBridgePorts('docker0', sys) ?? [];
    assert.ok(bridgeHoldsContainer(ports, [{ name: 'eth0', loopback: false, index: 14, peerIndex: 15 }]));
    assert.equal(bridgeHoldsContainer(ports, [{ name: 'eth0', loopback: false, index: 99, peerIndex: 15 }]), false, 'same peer index, other pair');
    assert.equal(bridgeHoldsContainer(ports, [{ name: 'eth0', loopback: false, index: 14, peerIndex: 40 }]), false);
    assert.equal(bridgeHoldsContainer(ports, [{ name: 'lo', loopback: true, index: 1 }]), false);
  });
});

describe("the packet reader's confinement check", () => {
  const status = (over: Record<string, string> = {}): string =>
    Object.entries({ Name: 'dnc-pkt-reader', Uid: '65534\t65534\t65534\t65534', Gid: '65534\t65534\t65534\t65534', Groups: '', CapInh: '0000000000000000', CapPrm: '0000000000000000', CapEff: '0000000000000000', CapBnd: '0000000000000000', CapAmb: '0000000000000000', NoNewPrivs: '1', ...over })
      .map(([k, v]) => `${k}:\t${v}`)
      .join('\n');

  it('nobody, no groups, no_new_privs, every capability set empty: fine', () => {
    assert.equal(confinementProblem(status()), undefined);
  });

  it('anything less is named', () => {
    assert.match(confinementProblem(status({ Uid: '0\t0\t0\t0' })) ?? '', /uid/);
    assert.match(confinementProblem(status({ Uid: '65534\t0\t65534\t65534' })) ?? '', /uid/);
    assert.match(confinementProblem(status({ Gid: '65534\t65534\t0\t65534' })) ?? '', /gid/);
    assert.match(confinementProblem(status({ Groups: '65534 ' })) ?? '', /groups/);
    assert.match(confinementProblem(status({ NoNewPrivs: '0' })) ?? '', /no_new_privs/);
    assert.match(confinementProblem(status({ CapBnd: '00000000000020c0' })) ?? '', /CapBnd/);
    assert.match(confinementProblem(status({ CapAmb: '0000000000002000' })) ?? '', /CapAmb/);
  });
});
