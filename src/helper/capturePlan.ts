/**
 * Turns a capture request into tcpdump command lines, one pipeline per
 * interface. Pure: nothing is started here, so the argv that will run as root
 * can be unit-tested and logged exactly.
 */
import type { Direction } from '../core/packet';
import type { CaptureRequest } from '../protocol/captureRequest';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { validateFilter, validateInterfaceName, validateMac } from '../protocol/requestValidation';

/** An interface inside the container's network namespace, as netlink describes it. */
export interface NamespaceInterface {
  name: string;
  /** Lower-case MAC; absent for loopback and layer-3 devices. */
  mac?: string;
  loopback: boolean;
  /** Its index inside the namespace. */
  index?: number;
  /** For a veth: the index of its other end, which lives in another namespace (the host's, for Docker). */
  peerIndex?: number;
}

export interface PipelineSpec {
  /** Label of every packet from this pipeline: `eth0`, `lo`, or the bridge; `web-1/eth0` when several containers are captured. */
  interfaceName: string;
  /** Set when several containers are captured: the one this pipeline is in, which can leave the capture alone. */
  container?: string;
  /** Executable first; given to spawn() as an array, never to a shell. */
  argv: string[];
  /** Set when every packet of this pipeline has one direction (tcpdump -Q, or loopback). */
  fixedDirection?: Direction;
  /** The container's own MACs: a frame from one of them was sent by the container. */
  containerMacs: string[];
  /** Namespace captures: the container's init PID; when it exits, the capture ends (CaptureSession). */
  namespacePid?: number;
  /**
   * Namespace captures, on the root side only: a descriptor of the container's
   * network namespace, held open since it was verified (namespaceInterfaces.ts).
   * The child gets it as its fd 3 and nsenter enters exactly that namespace, so
   * a PID reused after the check cannot redirect the capture.
   */
  namespaceFd?: number;
}

export interface CaptureTools {
  tcpdump: string;
  nsenter: string;
  setpriv: string;
  ip: string;
}

/** Where the pinned namespace descriptor sits in each child (spawn's stdio[3]). */
export const CHILD_NAMESPACE_FD = 3;

/** nsenter's argv prefix entering the namespace held by the child's fd 3 (never a PID). */
export function enterPinnedNamespace(tools: CaptureTools): string[] {
  return [tools.nsenter, `--net=/proc/self/fd/${CHILD_NAMESPACE_FD}`, '--'];
}

/**
 * tcpdump starts as root (it must open the interface) but under no_new_privs
 * and with a bounding set of just what it needs: raw sockets, and setuid/setgid
 * for its own `-Z nobody`. Groups are cleared first so none survive the drop.
 */
export function confineTcpdump(tools: CaptureTools): string[] {
  return [tools.setpriv, '--clear-groups', '--no-new-privs', '--bounding-set=-all,+net_raw,+setuid,+setgid', '--'];
}

/** A child that needs no privilege at all: nobody, no groups, no_new_privs, empty bounding and inheritable sets. */
export function confineUnprivileged(tools: Pick<CaptureTools, 'setpriv'>, uid: number, gid: number): string[] {
  return [tools.setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--'];
}

/** Default snap length: whole frames (tcpdump's own default). */
export const DEFAULT_SNAP_LENGTH = 262144;

/**
 * tcpdump's kernel ring (-B, KiB), the same on both backends. With
 * --immediate-mode libpcap uses TPACKET_V2, whose slots have a fixed size:
 * the largest packet the interface can hand over, about 64 KiB on a veth or
 * lo (segmentation offload, MTU 65536), whatever the snap length. A 4 MiB
 * ring is then only ~63 packets, a few milliseconds of a flood: any pause of
 * tcpdump's reader (the helper's pipe, the engine's attach stream on a busy
 * machine) turned into kernel drops. 64 MiB is ~1,000 slots; measured in
 * bench/liveVsTcpdump.ts (BENCHMARKS.md). Kernel memory, held only while the
 * capture runs; libpcap asks for less when the kernel cannot give it.
 */
export const RING_BUFFER_KIB = 65536;

function tcpdumpArgs(tools: CaptureTools, iface: string, request: CaptureRequest, queue: 'in' | 'out' | undefined, expression: string | undefined): string[] {
  const args = [
    ...confineTcpdump(tools),
    tools.tcpdump,
    '-i', iface,
    // Packet-buffered, unbuffered delivery: each packet reaches us ~15 ms after the wire.
    '-U', '--immediate-mode',
    '-w', '-',
    // tcpdump drops root itself as soon as the interface is open.
    '-Z', 'nobody',
    // A kernel ring of ~1,000 packets rides out bursts while we parse (see RING_BUFFER_KIB).
    '-B', String(RING_BUFFER_KIB),
    '-s', String(request.snapLength ?? DEFAULT_SNAP_LENGTH),
  ];
  if (queue) args.push('-Q', queue);
  // `--` ends tcpdump's options: the expression can never be read as one.
  args.push('--');
  if (expression) args.push(expression);
  return args;
}

/** Pipelines for capturing inside the container's network namespace. */
export function planNamespaceCapture(
  target: ResolvedContainer,
  request: CaptureRequest,
  interfaces: NamespaceInterface[],
  tools: CaptureTools,
  namespaceFd: number,
): PipelineSpec[] {
  const filter = validateFilter(request.filter);
  const macs = collectMacs(interfaces);
  return interfaces.map((iface) => {
    const name = validateInterfaceName(iface.name);
    const enter = enterPinnedNamespace(tools);
    if (iface.loopback) {
      // libpcap reports loopback traffic once, as received, so tcpdump -Q out
      // would see nothing. Every loopback packet is both sent and received by
      // the container: it is shown once, in the direction the user asked for.
      return {
        interfaceName: name,
        argv: [...enter, ...tcpdumpArgs(tools, name, request, undefined, filter)],
        fixedDirection: request.direction === 'ingress' ? 'in' : 'out',
        containerMacs: macs,
        namespacePid: target.pid,
        namespaceFd,
      };
    }
    // Inside the namespace, tcpdump's in/out are the container's own.
    const queue = request.direction === 'egress' ? 'out' : request.direction === 'ingress' ? 'in' : undefined;
    return {
      interfaceName: name,
      argv: [...enter, ...tcpdumpArgs(tools, name, request, queue, filter)],
      fixedDirection: queue,
      containerMacs: macs,
      namespacePid: target.pid,
      namespaceFd,
    };
  });
}

/**
 * The seed's bridge mode: one capture on a host bridge, narrowed to frames to or
 * from the container's MAC addresses. The user's filter is wrapped in
 * parentheses after ours; validateFilter guarantees it cannot close them.
 * The MACs are the ones the container's namespace reports (`interfaces`), never
 * the request's: a request cannot widen the capture to another host's frames.
 */
export function planBridgeCapture(target: ResolvedContainer, request: CaptureRequest, bridge: string, interfaces: NamespaceInterface[], tools: CaptureTools): PipelineSpec {
  const name = validateInterfaceName(bridge);
  const filter = validateFilter(request.filter);
  const macs = collectMacs(interfaces);
  if (macs.length === 0) throw new Error(`container ${target.name} has no MAC address on any network; bridge mode needs one`);
  const keyword = request.direction === 'egress' ? 'ether src' : request.direction === 'ingress' ? 'ether dst' : 'ether host';
  const macExpression = '(' + macs.map((m) => `${keyword} ${m}`).join(' or ') + ')';
  const expression = filter ? `${macExpression} and (${filter})` : macExpression;
  return {
    interfaceName: name,
    argv: tcpdumpArgs(tools, name, request, undefined, expression),
    fixedDirection: request.direction === 'egress' ? 'out' : request.direction === 'ingress' ? 'in' : undefined,
    containerMacs: macs,
  };
}

/** The container's own MACs, as its namespace reports them (Docker's inspect is not asked). */
function collectMacs(interfaces: NamespaceInterface[]): string[] {
  const macs = new Set<string>();
  for (const i of interfaces) if (i.mac && !i.loopback) macs.add(validateMac(i.mac));
  return [...macs];
}

/** The direction of one frame: fixed by the pipeline, else by its source MAC. */
export function directionOf(spec: PipelineSpec, sourceMac: string | undefined): Direction {
  if (spec.fixedDirection) return spec.fixedDirection;
  return sourceMac !== undefined && spec.containerMacs.includes(sourceMac) ? 'out' : 'in';
}
