/**
 * Turns a capture request into tcpdump command lines, one pipeline per
 * interface. Pure: nothing is started here, so the argv that will run as root
 * can be unit-tested and logged exactly.
 */
import type { Direction } from '../core/packet';
import type { CaptureRequest } from '../protocol/captureRequest';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { validateFilter, validateInterfaceName, validateMac } from '../protocol/requestValidation';

/** An interface inside the container's network namespace. */
export interface NamespaceInterface {
  name: string;
  /** Lower-case MAC; absent for loopback and layer-3 devices. */
  mac?: string;
  loopback: boolean;
}

export interface PipelineSpec {
  /** Label of every packet from this pipeline: `eth0`, `lo`, or the bridge. */
  interfaceName: string;
  /** Executable first; given to spawn() as an array, never to a shell. */
  argv: string[];
  /** Set when every packet of this pipeline has one direction (tcpdump -Q, or loopback). */
  fixedDirection?: Direction;
  /** The container's own MACs: a frame from one of them was sent by the container. */
  containerMacs: string[];
  /** Namespace captures: the container's init PID; when it exits, the capture ends (CaptureSession). */
  namespacePid?: number;
}

export interface CaptureTools {
  tcpdump: string;
  nsenter: string;
}

/** Default snap length: whole frames (tcpdump's own default). */
export const DEFAULT_SNAP_LENGTH = 262144;

function tcpdumpArgs(tools: CaptureTools, iface: string, request: CaptureRequest, queue: 'in' | 'out' | undefined, expression: string | undefined): string[] {
  const args = [
    tools.tcpdump,
    '-i', iface,
    // Packet-buffered, unbuffered delivery: each packet reaches us ~15 ms after the wire.
    '-U', '--immediate-mode',
    '-w', '-',
    // tcpdump drops root itself as soon as the interface is open.
    '-Z', 'nobody',
    // A 4 MiB kernel buffer rides out bursts while we parse.
    '-B', '4096',
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
): PipelineSpec[] {
  const filter = validateFilter(request.filter);
  const macs = collectMacs(target, interfaces);
  return interfaces.map((iface) => {
    const name = validateInterfaceName(iface.name);
    const enter = [tools.nsenter, '-t', String(target.pid), '-n', '--'];
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
    };
  });
}

/**
 * The seed's bridge mode: one capture on a host bridge, narrowed to frames to or
 * from the container's MAC addresses. The user's filter is wrapped in
 * parentheses after ours; validateFilter guarantees it cannot close them.
 */
export function planBridgeCapture(target: ResolvedContainer, request: CaptureRequest, bridge: string, tools: CaptureTools): PipelineSpec {
  const name = validateInterfaceName(bridge);
  const filter = validateFilter(request.filter);
  const macs = collectMacs(target, []);
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

function collectMacs(target: ResolvedContainer, interfaces: NamespaceInterface[]): string[] {
  const macs = new Set<string>();
  for (const n of target.networks) if (n.mac) macs.add(validateMac(n.mac));
  for (const i of interfaces) if (i.mac && !i.loopback) macs.add(validateMac(i.mac));
  return [...macs];
}

/** The direction of one frame: fixed by the pipeline, else by its source MAC. */
export function directionOf(spec: PipelineSpec, sourceMac: string | undefined): Direction {
  if (spec.fixedDirection) return spec.fixedDirection;
  return sourceMac !== undefined && spec.containerMacs.includes(sourceMac) ? 'out' : 'in';
}
