/**
 * The one place that decides how a capture of several containers reaches the
 * packets. Today that is the helper container (one per captured container,
 * through the Docker API). The host helper (sudo-prompt/pkexec) captures one
 * container at a time for now; when it can capture several, this function is
 * where it is wired in (return its starter for `hostHelper`, and for `auto`
 * where the one-container rules pick it).
 */
import type { CaptureBackendSetting } from '../../client/captureBackendChoice';
import type { StartOneCapture } from '../../client/containerGroupCapture';
import type { DockerApis, DockerClient } from '../../client/dockerClient';
import { startContainerCapture } from '../../client/helperContainer/startContainerCapture';

export interface MultiContainerBackend {
  /** Starts the capture of one container of the group. */
  start: StartOneCapture;
  /** For the log: which backend, and why. */
  description: string;
  /** One line to show the user once, when the backend is not the one the setting names. */
  notice?: string;
}

export interface MultiContainerBackendOptions {
  helperImage: string;
  verbose: boolean;
  onPullProgress?: (line: string) => void;
}

export const HOST_HELPER_NOT_YET =
  'Capturing several containers at once through the host helper is not available yet: this capture runs through helper containers (Docker API). Setting: Capture Backend.';

export function multiContainerBackend(setting: CaptureBackendSetting, docker: DockerClient & DockerApis, options: MultiContainerBackendOptions): MultiContainerBackend {
  const start: StartOneCapture = (target, request, events) =>
    startContainerCapture(docker, target, request, { ...(options.helperImage ? { helperImage: options.helperImage } : {}), verbose: options.verbose, ...(options.onPullProgress ? { onPullProgress: options.onPullProgress } : {}) }, events);
  if (setting === 'hostHelper') return { start, description: 'helper containers (the host helper captures one container at a time for now)', notice: HOST_HELPER_NOT_YET };
  return { start, description: 'helper containers' };
}
