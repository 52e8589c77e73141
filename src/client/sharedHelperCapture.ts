/**
 * The host helper's way of capturing a group (GroupBackend.startMany): ONE root
 * helper for the whole batch, so one elevation (one password prompt) captures
 * every container. The helper labels each frame `container/interface`
 * (protocol/containerInterfaceLabel.ts) and says `left` when one container's
 * pipelines end; this splits its one stream back into one event sink per
 * container, as if each had its own capture. Every member's handle is the
 * one shared handle: stopping or pausing the group acts on the helper once.
 */
import type { CapturedFrame } from '../core/packet';
import { forEachFrame } from '../core/frameBatch';
import { splitContainerInterfaceLabel } from '../protocol/containerInterfaceLabel';
import type { CaptureRequest } from '../protocol/captureRequest';
import { checkHostHelperTargetCount } from '../protocol/hostHelperTargetLimit';
import type { ResolvedContainer } from '../protocol/resolvedContainer';
import type { CaptureEvents, CaptureHandle } from './captureClient';
import type { StartCaptures } from './containerGroupCapture';

/** Starts one helper for a list of targets (captureClient.startCapture with its options bound). */
export type StartSharedHelper = (targets: readonly ResolvedContainer[], request: CaptureRequest, events: CaptureEvents) => Promise<CaptureHandle>;

export function oneHelperForAll(startShared: StartSharedHelper): StartCaptures {
  return async (targets, request, eventsFor, groupLog) => {
    checkHostHelperTargetCount(targets.length, 'Capture Backend helperContainer has no such limit');
    const sinks = new Map(targets.map((t) => [t.name, eventsFor(t)]));
    const gone = new Set<string>();
    // Kernel drops are the helper's sum over every pipeline: counted once, on the first member.
    const statsSink = sinks.get(targets[0]?.name ?? '');
    const handle = await startShared(targets, request, {
      started: (info) => {
        for (const [name, sink] of sinks) {
          const own = info.interfaces.map(splitContainerInterfaceLabel).filter((l) => l?.container === name).map((l) => l!.interfaceName);
          sink.started({ ...info, interfaces: own });
        }
      },
      frames: (batch) => {
        const byContainer = new Map<string, CapturedFrame[]>();
        forEachFrame(batch, (f) => {
          const label = splitContainerInterfaceLabel(f.interfaceName);
          if (!label) return;
          f.interfaceName = label.interfaceName;
          const list = byContainer.get(label.container);
          if (list) list.push(f);
          else byContainer.set(label.container, [f]);
        });
        for (const [name, frames] of byContainer) if (!gone.has(name)) sinks.get(name)?.frames(frames);
      },
      stats: (s) => statsSink?.stats(s),
      log: (level, message) => groupLog(level, `helper: ${message}`),
      left: (container, info) => {
        if (gone.has(container)) return;
        gone.add(container);
        sinks.get(container)?.ended(info);
      },
      ended: (info) => {
        for (const [name, sink] of sinks) {
          if (gone.has(name)) continue;
          gone.add(name);
          sink.ended(info);
        }
      },
    });
    const shared = onceStopped(handle);
    return targets.map(() => shared);
  };
}

/** The helper's handle, asked to stop once however many members ask. */
function onceStopped(handle: CaptureHandle): CaptureHandle {
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= handle.stop()),
    get finished() {
      return handle.finished;
    },
    get channelDirectory() {
      return handle.channelDirectory;
    },
    pause: () => handle.pause(),
    resume: () => handle.resume(),
  };
}
