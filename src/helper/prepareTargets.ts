/**
 * Several containers in one root helper: each target goes through exactly the
 * checks a single one does (preparePipelines: cgroup, start time, pinned
 * namespace, interfaces over netlink as nobody), one after the other, and its
 * pipelines are labelled with its name (`web-1/eth0`) so its frames can be told
 * apart on the one channel. A target that shares an earlier one's network
 * namespace (`network_mode: service:web`) is not captured a second time: the
 * same packets would appear twice under two names.
 */
import { fstatSync } from 'node:fs';
import type { CaptureRequest } from '../protocol/captureRequest';
import { containerInterfaceLabel } from '../protocol/containerInterfaceLabel';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import type { PipelineSpec } from './capturePlan';
import { pinContainerNamespace } from './namespaceInterfaces';
import { preparePipelines, releaseNamespaces } from './preparePipelines';

/** `targets` absent: the one-container capture of `target`, unlabelled, as it always was. */
export function prepareTargets(target: ResolvedContainer, targets: readonly ResolvedContainer[] | undefined, request: CaptureRequest, log: (message: string) => void): PipelineSpec[] {
  if (!targets) return preparePipelines(target, request, log);
  // Every target's trust checks (cgroup, start time, not the host's namespace) first, so a
  // list with one forged entry is refused before any tool runs for the others. Each is pinned
  // again, and checked again, when its pipelines are prepared.
  for (const target of targets) pinContainerNamespace(target).close();
  const all: PipelineSpec[] = [];
  const namespaces = new Map<number, string>();
  try {
    for (const target of targets) {
      const specs = preparePipelines(target, request, log);
      const held = specs.find((s) => s.namespaceFd !== undefined)?.namespaceFd;
      const inode = held === undefined ? undefined : fstatSync(held).ino;
      const sharedWith = inode === undefined ? undefined : namespaces.get(inode);
      if (sharedWith !== undefined) {
        log(`container ${target.name} shares the network namespace of ${sharedWith}: its packets are shown as ${sharedWith}'s`);
        releaseNamespaces(specs);
        continue;
      }
      if (inode !== undefined) namespaces.set(inode, target.name);
      for (const s of specs) {
        s.container = target.name;
        s.interfaceName = containerInterfaceLabel(target.name, s.interfaceName);
      }
      all.push(...specs);
    }
  } catch (err) {
    releaseNamespaces(all);
    throw err;
  }
  return all;
}
