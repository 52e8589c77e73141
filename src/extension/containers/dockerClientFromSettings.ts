/** The Docker client the settings ask for: an endpoint (`dockerHost`) or a context (`dockerContext`), else the environment's. */
import { createDockerClient, type DockerApis, type DockerClient } from '../../client/dockerClient';
import { readSettings, type ExtensionSettings } from '../settings';

export function dockerClientFromSettings(settings: ExtensionSettings = readSettings()): DockerClient & DockerApis {
  return createDockerClient({ endpoint: settings.dockerHost || undefined, context: settings.dockerContext || undefined });
}
