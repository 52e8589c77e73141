/**
 * The one place that decides how a capture of several containers reaches the
 * packets, by the same rules as one container's (captureBackendChoice.ts):
 *
 * - helper container: one per captured container, through the Docker API; a
 *   container of the project that starts later gets its own and joins.
 * - host helper: ONE root helper for every container of the start (one
 *   elevation, one password prompt; at most MAX_CAPTURE_TARGETS). The helper
 *   drops to nobody once its pipelines run and cannot enter another
 *   namespace, so a container that starts later needs one more helper: started
 *   only when that needs no prompt (already root, or polkit says yes without
 *   asking: passwordlessElevation.ts). Otherwise the user gets one line saying
 *   the container was not joined and how to capture it.
 *
 * With `auto`, a host helper that cannot be elevated here (no polkit agent)
 * falls back to helper containers, as one container's capture does.
 */
import type { BackendChoice, CaptureBackendSetting } from '../../client/captureBackendChoice';
import { startCapture, type CaptureClientOptions } from '../../client/captureClient';
import { oneCapturePerContainer, type GroupBackend, type StartCaptures, type StartOneCapture } from '../../client/containerGroupCapture';
import type { DockerApis, DockerClient } from '../../client/dockerClient';
import { startContainerCapture } from '../../client/helperContainer/startContainerCapture';
import { noPasswordPromptPossible } from '../../client/helperLaunch';
import { elevationIsPasswordless } from '../../client/passwordlessElevation';
import { oneHelperForAll } from '../../client/sharedHelperCapture';
import type { ResolvedContainer } from '../../protocol/resolvedContainer';

export interface MultiContainerBackend extends GroupBackend {
  /** For the log: which backend, and why. */
  description: string;
}

export interface MultiContainerBackendOptions {
  setting: CaptureBackendSetting;
  helperImage: string;
  verbose: boolean;
  /** The host helper's client options (helper script, runtime, direct or sudo-prompt). */
  host: CaptureClientOptions;
  /** Told once, when `auto` falls back to helper containers. */
  onFallback?: (reason: string) => void;
  onPullProgress?: (line: string) => void;
}

/** The one line shown when a container of a project captured through the host helper started and was not joined. */
export function notJoinedNotice(target: ResolvedContainer, project: string | undefined): string {
  return `${target.name}${project ? ` (project ${project})` : ''} started during the capture and is not captured: joining it would need another password prompt. Capture it on its own, or use Capture Backend "helperContainer" to follow the project.`;
}

export function multiContainerBackend(choice: BackendChoice, docker: DockerClient & DockerApis, options: MultiContainerBackendOptions, project?: string): MultiContainerBackend {
  const startOne: StartOneCapture = (target, request, events) =>
    startContainerCapture(docker, target, request, { ...(options.helperImage ? { helperImage: options.helperImage } : {}), verbose: options.verbose, ...(options.onPullProgress ? { onPullProgress: options.onPullProgress } : {}) }, events);
  const viaContainers = oneCapturePerContainer(startOne);
  if (choice.backend === 'helperContainer') return { startMany: viaContainers, description: `helper containers (${choice.reason})` };

  const viaHost = oneHelperForAll((targets, request, events) => startCapture(targets, request, options.host, events));
  let fellBack = false;
  const startMany: StartCaptures = async (targets, request, eventsFor, log) => {
    if (fellBack) return viaContainers(targets, request, eventsFor, log);
    try {
      return await viaHost(targets, request, eventsFor, log);
    } catch (e) {
      // As for one container: no agent to ask for the password, and the user did not insist on the host helper.
      if (options.setting !== 'auto' || !noPasswordPromptPossible(e)) throw e;
      fellBack = true;
      options.onFallback?.('no password prompt can be shown here (no polkit agent)');
      return viaContainers(targets, request, eventsFor, log);
    }
  };
  return {
    startMany,
    description: `one host helper for every container (${choice.reason})`,
    admitLater: async (target) => {
      if (fellBack || options.host.elevation === 'direct' || (await elevationIsPasswordless())) return true;
      return notJoinedNotice(target, project);
    },
  };
}
