/**
 * The CLI's `--via`: which backend captures. `auto` takes the host helper only
 * where it can work (root, a Linux engine on this machine that is Docker, not
 * Podman or Docker Desktop); everywhere else the helper container, which needs
 * nothing but the Docker API. Decided from the endpoint alone, without a
 * request to the engine: the root path counts the connections it opens.
 */
import { backendSettingFromVia, chooseCaptureBackend, type BackendChoice } from '../client/captureBackendChoice';
import { createDockerClient } from '../client/dockerClient';
import { isDockerDesktopEndpoint } from '../client/dockerDesktop';
import { isRoot } from '../helper/privileges';
import type { CliOptions } from './cliArguments';

export function chooseCliCapturePath(o: CliOptions): BackendChoice {
  const setting = backendSettingFromVia(o.via) ?? 'auto';
  if (setting !== 'auto') return chooseCaptureBackend(setting, { engineLocal: true, podman: false, dockerDesktop: false, platform: process.platform, root: isRoot(), canElevate: false });
  const docker = createDockerClient({ endpoint: o.docker, context: o.context });
  try {
    const engine = docker.engine;
    return chooseCaptureBackend('auto', {
      engineLocal: engine.local,
      podman: engine.podman,
      dockerDesktop: isDockerDesktopEndpoint(docker.endpoint, engine.contextName),
      platform: process.platform,
      root: isRoot(),
      // The CLI never asks for a password: without root, the host helper cannot start.
      canElevate: false,
    });
  } finally {
    docker.dispose();
  }
}
