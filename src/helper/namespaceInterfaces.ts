/**
 * Lists the interfaces of a container's network namespace. Runs as root in the
 * helper (or the CLI), before any packet is read.
 *
 * /proc/PID/net/dev names the namespace's interfaces. Their addresses come from
 * /proc/PID/root/sys: sysfs shows the namespace it was mounted in, and Docker
 * mounts one inside each container (reading /sys through nsenter would show the
 * host's instead).
 */
import { readFileSync, statSync } from 'node:fs';
import { CaptureError } from '../protocol/captureErrors';
import type { NamespaceInterface } from './capturePlan';

const ARPHRD_LOOPBACK = 772;
const IFF_UP = 0x1;

export function listNamespaceInterfaces(pid: number): NamespaceInterface[] {
  let dev: string;
  try {
    dev = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    throw new CaptureError('container-not-running', `process ${pid} is gone: the container is not running`);
  }
  const names = dev
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((n) => n.length > 0);
  const result: NamespaceInterface[] = [];
  for (const name of names) {
    const sys = `/proc/${pid}/root/sys/class/net/${name}`;
    const type = readNumber(`${sys}/type`);
    const flags = readNumber(`${sys}/flags`);
    // Interfaces that are down (the tunl0/sit0 placeholders a kernel module
    // creates in every namespace) carry no traffic; tcpdump would refuse them.
    if (flags !== undefined && (flags & IFF_UP) === 0) continue;
    const loopback = type === ARPHRD_LOOPBACK || name === 'lo';
    const mac = loopback ? undefined : readMac(`${sys}/address`);
    result.push({ name, loopback, ...(mac ? { mac } : {}) });
  }
  // Loopback last: the container's own networks are what users look for first.
  return result.sort((a, b) => Number(a.loopback) - Number(b.loopback) || a.name.localeCompare(b.name));
}

/** True when the process shares the host's network namespace (`--network host`). */
export function sharesHostNetwork(pid: number): boolean {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino === statSync('/proc/1/ns/net').ino;
  } catch {
    return false;
  }
}

/**
 * The PID must belong to the container it claims to: its cgroup path names the
 * container id (cgroup v1 `/docker/<id>`, v2 `docker-<id>.scope`). The helper
 * checks this as root so a request cannot point it at another process.
 */
export function pidBelongsToContainer(pid: number, containerId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId);
  } catch {
    return false;
  }
}

function readNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function readMac(path: string): string | undefined {
  try {
    const mac = readFileSync(path, 'utf8').trim().toLowerCase();
    return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) && mac !== '00:00:00:00:00:00' ? mac : undefined;
  } catch {
    return undefined;
  }
}
