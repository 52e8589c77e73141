/**
 * The container's network namespace, as root sees it safely:
 *
 * - pinned: /proc/PID/ns/net is opened once, and the descriptor is checked
 *   after opening (same process start time, the container's exact cgroup, not
 *   the host's namespace). Every tool then enters that descriptor, never the
 *   PID again, so a PID that exits and is reused cannot redirect anything.
 * - listed over netlink from inside it (`ip -j link`, run as nobody under
 *   setpriv), never through the container's own files: /proc/PID/root/sys is
 *   the container's mount tree, where a symlink would resolve on the host and
 *   a FIFO would hang root.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { CaptureError } from '../protocol/captureErrors';
import { validateInterfaceName } from '../protocol/requestValidation';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { CHILD_NAMESPACE_FD, confineUnprivileged, enterPinnedNamespace, type CaptureTools, type NamespaceInterface } from './capturePlan';
import { processStartTime } from './processStartTime';
import { nobodyIdentity } from './privileges';

export interface PinnedNamespace {
  /** Descriptor of the namespace in this process; children get it as their fd 3. */
  readonly fd: number;
  readonly pid: number;
  close(): void;
}

/**
 * The cgroup paths a container's processes sit in, exactly (Docker with the
 * cgroupfs or systemd driver; rootful Podman). Only root can place a process
 * there, unlike a cgroup whose path merely contains the id somewhere (a user's
 * delegated cgroup can be named anything).
 */
export function containerCgroupPaths(containerId: string): string[] {
  return [`/docker/${containerId}`, `/system.slice/docker-${containerId}.scope`, `/machine.slice/libpod-${containerId}.scope`, `/machine.slice/libpod-${containerId}.scope/container`];
}

/** True when a line of /proc/PID/cgroup (`hierarchy:controllers:path`) puts the process exactly in that container's cgroup. */
export function cgroupNamesContainer(cgroupText: string, containerId: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(containerId)) return false;
  const wanted = new Set(containerCgroupPaths(containerId));
  return cgroupText.split('\n').some((line) => {
    const parts = line.split(':');
    return parts.length >= 3 && wanted.has(parts.slice(2).join(':'));
  });
}

function readCgroup(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return '';
  }
}

function notTheContainer(target: ResolvedContainer): CaptureError {
  return new CaptureError('container-not-running', `process ${target.pid} is not container ${target.name} (it stopped or restarted); try again`);
}

/**
 * Opens the container's network namespace and proves, after opening, that the
 * descriptor is that container's: the process that had the PID before the open
 * still has it (start time), it sits in the container's cgroup, and the
 * namespace is neither the host's nor this helper's.
 */
export function pinContainerNamespace(target: ResolvedContainer): PinnedNamespace {
  const { pid } = target;
  const startedAt = processStartTime(pid);
  if (startedAt === undefined) throw new CaptureError('container-not-running', `process ${pid} is gone: the container is not running`);
  if (!cgroupNamesContainer(readCgroup(pid), target.id)) throw notTheContainer(target);
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/ns/net`, 'r');
  } catch {
    throw new CaptureError('container-not-running', `process ${pid} is gone: the container is not running`);
  }
  const close = (): void => {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  };
  try {
    if (processStartTime(pid) !== startedAt || !cgroupNamesContainer(readCgroup(pid), target.id)) throw notTheContainer(target);
    const inode = fstatSync(fd).ino;
    if (hostNamespaceInodes().includes(inode)) {
      throw new CaptureError(
        'no-network-namespace',
        `container ${target.name} uses the host's network (--network host): it has no interfaces of its own. Capture on the host's interfaces with tcpdump instead.`,
      );
    }
  } catch (err) {
    close();
    throw err;
  }
  return { fd, pid, close };
}

/**
 * The host's network namespace: init's, and this helper's own (it runs in the
 * host's). init's can be unreadable even to root (a sandboxed init that
 * ptrace rules hide); the helper's own is always there.
 */
function hostNamespaceInodes(): number[] {
  const inodes = [statSync('/proc/self/ns/net').ino];
  try {
    inodes.push(statSync('/proc/1/ns/net').ino);
  } catch {
    // init hidden from us; our own namespace stands for the host's
  }
  return inodes;
}

interface IpLink {
  ifindex?: unknown;
  ifname?: unknown;
  flags?: unknown;
  link_type?: unknown;
  address?: unknown;
  link_index?: unknown;
  link_netnsid?: unknown;
}

function isMac(text: unknown): text is string {
  return typeof text === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(text.toLowerCase()) && text !== '00:00:00:00:00:00';
}

/**
 * `ip -j link show` output to interfaces. What the container can influence
 * (names, addresses) is validated here; anything odd is skipped or refused.
 * Interfaces that are down (the tunl0/sit0 placeholders a kernel module
 * creates in every namespace) carry no traffic, and tcpdump would refuse them.
 */
export function parseIpLinks(json: string): NamespaceInterface[] {
  let links: unknown;
  try {
    links = JSON.parse(json);
  } catch {
    throw new CaptureError('helper-failed', "cannot read the container's interfaces: ip printed no valid JSON");
  }
  if (!Array.isArray(links)) throw new CaptureError('helper-failed', "cannot read the container's interfaces: ip printed no list");
  const result: NamespaceInterface[] = [];
  for (const raw of links as IpLink[]) {
    if (typeof raw !== 'object' || raw === null || typeof raw.ifname !== 'string') continue;
    const flags = Array.isArray(raw.flags) ? raw.flags : [];
    if (!flags.includes('UP')) continue;
    const name = validateInterfaceName(raw.ifname);
    const loopback = raw.link_type === 'loopback' || flags.includes('LOOPBACK');
    const mac = !loopback && isMac(raw.address) ? raw.address.toLowerCase() : undefined;
    const index = Number.isInteger(raw.ifindex) ? (raw.ifindex as number) : undefined;
    // A peer in another namespace: netlink names that namespace (link_netnsid).
    const peerIndex = Number.isInteger(raw.link_index) && raw.link_netnsid !== undefined ? (raw.link_index as number) : undefined;
    result.push({ name, loopback, ...(mac ? { mac } : {}), ...(index !== undefined ? { index } : {}), ...(peerIndex !== undefined ? { peerIndex } : {}) });
  }
  // Loopback last: the container's own networks are what users look for first.
  return result.sort((a, b) => Number(a.loopback) - Number(b.loopback) || a.name.localeCompare(b.name));
}

/** The namespace's interfaces, asked over netlink inside the pinned namespace by `ip` running as nobody. */
export function listNamespaceInterfaces(ns: PinnedNamespace, tools: CaptureTools): NamespaceInterface[] {
  const nobody = nobodyIdentity();
  const argv = [...enterPinnedNamespace(tools), ...confineUnprivileged(tools, nobody.uid, nobody.gid), tools.ip, '-j', 'link', 'show'];
  const [file, ...args] = argv as [string, ...string[]];
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
  stdio[CHILD_NAMESPACE_FD] = ns.fd;
  const result = spawnSync(file, args, { stdio, shell: false, timeout: 10_000, maxBuffer: 1024 * 1024, encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  if (result.status !== 0) {
    const why = (result.stderr ?? '').trim().split('\n').pop() || result.error?.message || `exit code ${String(result.status)}`;
    throw new CaptureError('helper-failed', `cannot list the container's interfaces: ${why}`);
  }
  return parseIpLinks(result.stdout);
}

/** A port of a host bridge: its index and the index its link points at (for a veth, the other end). */
export interface BridgePort {
  name: string;
  index: number;
  peerIndex: number;
}

/**
 * The ports of a host bridge, from this process's own sysfs, which shows the
 * helper's (the host's) namespace: kernel attributes, nothing a container writes.
 * Undefined when `bridge` is not a bridge on this host.
 */
export function hostBridgePorts(bridge: string, sysClassNet = '/sys/class/net'): BridgePort[] | undefined {
  const name = validateInterfaceName(bridge);
  try {
    if (!statSync(`${sysClassNet}/${name}/bridge`).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const ports: BridgePort[] = [];
  let names: string[];
  try {
    names = readdirSync(`${sysClassNet}/${name}/brif`);
  } catch {
    return [];
  }
  for (const port of names) {
    try {
      validateInterfaceName(port);
      const index = Number(readFileSync(`${sysClassNet}/${port}/ifindex`, 'utf8').trim());
      const peerIndex = Number(readFileSync(`${sysClassNet}/${port}/iflink`, 'utf8').trim());
      if (Number.isInteger(index) && Number.isInteger(peerIndex)) ports.push({ name: port, index, peerIndex });
    } catch {
      // a port that went away meanwhile, or a name no interface may have
    }
  }
  return ports;
}

/** True when one of the bridge's ports is the other end of one of the container's veths (each end names the other). */
export function bridgeHoldsContainer(ports: BridgePort[], interfaces: NamespaceInterface[]): boolean {
  return interfaces.some((i) => i.peerIndex !== undefined && i.index !== undefined && ports.some((p) => p.index === i.peerIndex && p.peerIndex === i.index));
}
