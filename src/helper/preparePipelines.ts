/**
 * From a resolved container to the pipelines to run, as root: finds the tools,
 * pins the container's network namespace, lists its interfaces from inside it,
 * refuses what cannot be captured with a message that says what can.
 *
 * Namespace captures carry the pinned descriptor in their specs
 * (`namespaceFd`); CaptureSession.start() closes it once every tcpdump has its
 * interface open.
 */
import { closeSync } from 'node:fs';
import { CaptureError } from '../protocol/captureErrors';
import { planBridgeCapture, planNamespaceCapture, type PipelineSpec } from './capturePlan';
import type { CaptureRequest } from '../protocol/captureRequest';
import { findCaptureTools } from './captureTools';
import { bridgeHoldsContainer, hostBridgePorts, listNamespaceInterfaces, pinContainerNamespace } from './namespaceInterfaces';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import { validateFilter, validateInterfaceName } from '../protocol/requestValidation';

export function preparePipelines(target: ResolvedContainer, request: CaptureRequest, log: (message: string) => void): PipelineSpec[] {
  const tools = findCaptureTools();
  if (!target.running || target.pid <= 0) {
    throw new CaptureError('container-not-running', `container ${target.name} is not running; start it first`);
  }
  if (target.networkMode === 'host') {
    throw new CaptureError(
      'no-network-namespace',
      `container ${target.name} uses the host's network (--network host): it has no interfaces of its own. Capture on the host's interfaces with tcpdump instead.`,
    );
  }
  // What the request names is refused before anything runs, even the interface listing.
  if (request.mode.kind === 'bridge') validateInterfaceName(request.mode.bridge);
  validateFilter(request.filter);
  const ns = pinContainerNamespace(target);
  let keepOpen = false;
  try {
    const interfaces = listNamespaceInterfaces(ns, tools);
    if (request.mode.kind === 'bridge') {
      // The bridge must be a bridge on this host with one of the container's
      // veths as a port; otherwise the request would point tcpdump at any
      // interface with any MAC filter.
      const bridge = request.mode.bridge;
      const ports = hostBridgePorts(bridge);
      if (!ports) throw new CaptureError('invalid-request', `${bridge} is not a bridge on this host`);
      if (!bridgeHoldsContainer(ports, interfaces)) throw new CaptureError('invalid-request', `container ${target.name} is not attached to bridge ${bridge}`);
      return [planBridgeCapture(target, request, bridge, interfaces, tools)];
    }
    if (interfaces.length === 0) {
      throw new CaptureError('no-network-namespace', `container ${target.name} has no network interface that is up`);
    }
    if (interfaces.every((i) => i.loopback)) {
      log(`container ${target.name} has no network (--network ${target.networkMode || 'none'}): only its loopback can be captured`);
    }
    const specs = planNamespaceCapture(target, request, interfaces, tools, ns.fd);
    keepOpen = true;
    return specs;
  } finally {
    if (!keepOpen) ns.close();
  }
}

/** Closes the namespace descriptors the specs carry (once their tcpdumps are running, or failed). */
export function releaseNamespaces(specs: PipelineSpec[]): void {
  const fds = new Set(specs.map((s) => s.namespaceFd).filter((fd): fd is number => fd !== undefined));
  // Forgotten first: a descriptor number is reused by the next open, and must never be closed twice.
  for (const s of specs) delete s.namespaceFd;
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
