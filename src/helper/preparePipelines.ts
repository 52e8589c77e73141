/**
 * From a resolved container to the pipelines to run, as root: finds the tools,
 * lists the namespace's interfaces, refuses what cannot be captured with a
 * message that says what can.
 */
import { CaptureError } from '../protocol/captureErrors';
import { planBridgeCapture, planNamespaceCapture, type PipelineSpec } from './capturePlan';
import type { CaptureRequest } from '../protocol/captureRequest';
import { findCaptureTools } from './captureTools';
import { listNamespaceInterfaces, pidBelongsToContainer, sharesHostNetwork } from './namespaceInterfaces';
import type { ResolvedContainer } from '../protocol/resolvedContainer';

export function preparePipelines(target: ResolvedContainer, request: CaptureRequest, log: (message: string) => void): PipelineSpec[] {
  const tools = findCaptureTools();
  if (!target.running || target.pid <= 0) {
    throw new CaptureError('container-not-running', `container ${target.name} is not running; start it first`);
  }
  if (!pidBelongsToContainer(target.pid, target.id)) {
    throw new CaptureError('container-not-running', `process ${target.pid} is not container ${target.name} (it stopped or restarted); try again`);
  }
  if (request.mode.kind === 'bridge') {
    return [planBridgeCapture(target, request, request.mode.bridge, tools)];
  }
  if (target.networkMode === 'host' || sharesHostNetwork(target.pid)) {
    throw new CaptureError(
      'no-network-namespace',
      `container ${target.name} uses the host's network (--network host): it has no interfaces of its own. Capture on the host's interfaces with tcpdump instead.`,
    );
  }
  const interfaces = listNamespaceInterfaces(target.pid);
  if (interfaces.length === 0) {
    throw new CaptureError('no-network-namespace', `container ${target.name} has no network interface that is up`);
  }
  if (interfaces.every((i) => i.loopback)) {
    log(`container ${target.name} has no network (--network ${target.networkMode || 'none'}): only its loopback can be captured`);
  }
  return planNamespaceCapture(target, request, interfaces, tools);
}
