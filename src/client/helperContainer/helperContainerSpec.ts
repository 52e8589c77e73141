/**
 * How a helper container is created: the least privilege tcpdump can capture
 * with, joined to the target's network namespace and nothing else of it.
 * SECURITY.md ("Helper-container backend") explains each choice.
 */
import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { validateContainerId } from '../../protocol/requestValidation';
import { processStartTime } from './ownerProcess';

/** The default helper image (README, "Helper-container backend", says why this one). */
export const DEFAULT_HELPER_IMAGE = 'nicolaka/netshoot:v0.13';

/** Every helper container carries these labels, so a leftover is found and removed at the next start. */
export const HELPER_LABEL = 'dev.dockernetworkcapture.helper';
export const TARGET_LABEL = 'dev.dockernetworkcapture.target';
export const OWNER_LABEL = 'dev.dockernetworkcapture.owner';

/**
 * What tcpdump needs. NET_RAW opens the packet socket. An image whose tcpdump
 * drops to its own user after opening the interface (Debian's, built
 * --with-user) also needs SETUID and SETGID to make that switch; afterwards
 * it holds no capability at all. An image whose tcpdump stays put needs
 * NET_RAW only. NET_ADMIN is never given: promiscuous mode on a veth is not
 * needed to see the container's own traffic, and a failed PACKET_MR_PROMISC
 * is only a warning.
 */
export type CapabilitySet = 'net-raw' | 'net-raw-and-drop';

export function capabilitiesOf(set: CapabilitySet): string[] {
  return set === 'net-raw' ? ['NET_RAW'] : ['NET_RAW', 'SETUID', 'SETGID'];
}

/** `host:pid:start` of this process: the sweep removes a helper only when its owner is gone. */
export function ownerLabel(): string {
  return `${hostname()}:${process.pid}:${processStartTime(process.pid) ?? '-'}`;
}

export interface HelperContainerRequest {
  image: string;
  targetId: string;
  /** tcpdump's arguments (the entrypoint is `tcpdump`, found on the image's PATH). */
  args: string[];
  capabilities: CapabilitySet;
  /** Shown in `docker ps`, for people who wonder what runs. */
  name: string;
}

export function helperContainerOptions(req: HelperContainerRequest): Docker.ContainerCreateOptions {
  const targetId = validateContainerId(req.targetId);
  return {
    name: req.name,
    Image: req.image,
    // Never a shell: the argv goes to tcpdump as it is; the image's own
    // entrypoint and command (often a shell) are replaced.
    Entrypoint: ['tcpdump'],
    Cmd: req.args,
    // Root inside the container, but with nothing but the capabilities below,
    // no-new-privileges, and (for a dropping tcpdump) for only as long as it
    // takes to open the interface. A non-root USER of the image would get no
    // capability at all from the engine, so it is not used.
    User: '0:0',
    Env: ['LANG=C'],
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    Tty: false,
    Labels: { [HELPER_LABEL]: '1', [TARGET_LABEL]: targetId, [OWNER_LABEL]: ownerLabel() },
    HostConfig: {
      NetworkMode: `container:${targetId}`,
      CapDrop: ['ALL'],
      CapAdd: capabilitiesOf(req.capabilities),
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Binds: [],
      Mounts: [],
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      PidsLimit: 16,
      // tcpdump needs a handful of descriptors. Podman gives containers its own defaults
      // (nofile 1048576, a large nproc) and runc fails to start one whose limits exceed the
      // host's hard limits ("error setting rlimit type 7"), as on many VMs: limits stated
      // here are low enough for any host. nproc counts every process of the user tcpdump
      // runs as on that host, so it is a ceiling with room, not a tight fit.
      Ulimits: [
        { Name: 'nofile', Soft: 1024, Hard: 1024 },
        { Name: 'nproc', Soft: 4096, Hard: 4096 },
      ],
      AutoRemove: true,
      // The packet bytes must not land in the engine's container log (the
      // default json-file driver would keep every captured byte on disk).
      LogConfig: { Type: 'none', Config: {} },
      RestartPolicy: { Name: 'no' },
    },
  };
}
