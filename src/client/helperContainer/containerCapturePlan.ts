/**
 * The helper-container backend's plan: which interfaces of the target's
 * network namespace to capture (from `tcpdump -D`, the only tool the helper
 * image is promised to have) and the tcpdump command line for each. Pure, so
 * what runs in the helper containers can be unit-tested and logged exactly.
 *
 * The frames are labelled and direction-tagged by the same PipelineSpec rules
 * as the host path (src/helper/capturePlan.ts): `-Q in|out` when one direction
 * was asked for, else by source MAC against the container's own MACs (or, when
 * the engine names none, one `-Q in` and one `-Q out` tcpdump), and loopback
 * fixed to the direction asked for.
 */
import type { CaptureRequest } from '../../protocol/captureRequest';
import { CaptureError } from '../../protocol/captureErrors';
import type { ResolvedContainer } from '../../protocol/resolvedContainer';
import { validateFilter, validateInterfaceName, validateMac } from '../../protocol/requestValidation';
import { DEFAULT_SNAP_LENGTH, RING_BUFFER_KIB, type PipelineSpec } from '../../helper/capturePlan';

/** One interface as `tcpdump -D` lists it in the target's namespace. */
export interface ListedInterface {
  name: string;
  loopback: boolean;
}

/**
 * Pseudo-devices libpcap offers in every namespace that are not the
 * container's network: `any` (its frames are SLL2, and would repeat every
 * other interface's), netfilter queues, D-Bus, USB and Bluetooth monitors.
 */
const NOT_A_NETWORK = /^(any|nflog|nfqueue|dbus-.*|usbmon\d*|bluetooth.*)$/;

/**
 * Parses `tcpdump -D`: lines like `1.eth0 [Up, Running, Connected]` or
 * `5.nflog (Linux netfilter log (NFLOG) interface) [none]`. Interfaces that
 * are not up (the tunl0/sit0 placeholders) carry no traffic and are left out;
 * a tcpdump too old to print flags lists every interface without them.
 */
export function parseInterfaceList(text: string): ListedInterface[] {
  const result: ListedInterface[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+\.(\S+)(.*)$/.exec(line.trim());
    if (!m || !m[1]) continue;
    const name = m[1];
    if (NOT_A_NETWORK.test(name)) continue;
    const flagsText = /\[([^\]]*)\]\s*$/.exec(m[2] ?? '')?.[1];
    const flags = flagsText === undefined ? undefined : flagsText.split(',').map((f) => f.trim());
    if (flags && !flags.includes('Up')) continue;
    result.push({ name, loopback: name === 'lo' || (flags?.includes('Loopback') ?? false) });
  }
  // Loopback last: the container's own networks are what users look for first.
  return result.sort((a, b) => Number(a.loopback) - Number(b.loopback) || a.name.localeCompare(b.name));
}

/** tcpdump's arguments after the executable (the helper's entrypoint is `tcpdump`). */
function tcpdumpArgs(iface: string, request: CaptureRequest, queue: 'in' | 'out' | undefined, filter: string | undefined): string[] {
  const args = [
    '-i', iface,
    // Packet-buffered, unbuffered delivery: each packet leaves ~15 ms after the wire.
    '-U', '--immediate-mode',
    '-w', '-',
    // A ring of ~1,000 packets rides out the engine's pauses in reading the stream (see RING_BUFFER_KIB).
    '-B', String(RING_BUFFER_KIB),
    '-s', String(request.snapLength ?? DEFAULT_SNAP_LENGTH),
  ];
  if (queue) args.push('-Q', queue);
  // `--` ends tcpdump's options: the filter can never be read as one.
  args.push('--');
  if (filter) args.push(filter);
  return args;
}

/** One pipeline per interface; `argv` is the helper container's command, `tcpdump` first. */
export function planContainerCapture(target: ResolvedContainer, request: CaptureRequest, interfaces: ListedInterface[]): PipelineSpec[] {
  if (request.mode.kind !== 'namespace') {
    throw new CaptureError('invalid-request', 'bridge mode captures on a host bridge and needs the host backend; the helper-container backend captures inside the container');
  }
  const filter = validateFilter(request.filter);
  const macs = [...new Set(target.networks.flatMap((n) => (n.mac ? [validateMac(n.mac)] : [])))];
  const queue = request.direction === 'egress' ? 'out' : request.direction === 'ingress' ? 'in' : undefined;
  return interfaces.flatMap((iface): PipelineSpec[] => {
    const name = validateInterfaceName(iface.name);
    if (iface.loopback) {
      // libpcap reports loopback traffic once, as received, so -Q out would see
      // nothing; every loopback packet is both sent and received by the
      // container: shown once, in the direction asked for (as on the host path).
      return [
        {
          interfaceName: name,
          argv: ['tcpdump', ...tcpdumpArgs(name, request, undefined, filter)],
          fixedDirection: request.direction === 'ingress' ? 'in' : 'out',
          containerMacs: macs,
        },
      ];
    }
    // Inside the namespace, tcpdump's in/out are the container's own.
    if (!queue && macs.length === 0) {
      // The engine names no MAC for the container (Podman's slirp4netns and pasta, for
      // example): the source MAC cannot tell what it sent, so each direction gets its own
      // tcpdump (-Q in, -Q out), both labelled with the interface, merged by timestamp.
      return (['in', 'out'] as const).map((q) => ({ interfaceName: name, argv: ['tcpdump', ...tcpdumpArgs(name, request, q, filter)], fixedDirection: q, containerMacs: macs }));
    }
    return [
      {
        interfaceName: name,
        argv: ['tcpdump', ...tcpdumpArgs(name, request, queue, filter)],
        ...(queue ? { fixedDirection: queue } : {}),
        containerMacs: macs,
      },
    ];
  });
}

/**
 * The same tcpdump handing its packets over in blocks: `-U` and `--immediate-mode` taken out
 * of the options (never out of the filter after `--`). Without immediate mode libpcap reads
 * the kernel's ring a block at a time (TPACKET_V3: a block goes to tcpdump when full, or
 * after tcpdump's 1-second timeout), so tcpdump writes its stdio buffer out in bursts; the
 * engine's copy chain then reads many writes at once instead of one by one, which is most
 * of its CPU at a flood (BENCHMARKS.md, bench 2c). The price is latency, paid only while
 * the rate is high: see BLOCK_RETIRE_MS in captureHandover.ts.
 */
export function blockWritingArgv(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const options = end >= 0 ? argv.slice(0, end) : [...argv];
  return [...options.filter((a) => a !== '-U' && a !== '--immediate-mode'), ...(end >= 0 ? argv.slice(end) : [])];
}
