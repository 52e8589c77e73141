/**
 * The containers a capture of several is about: the names given on the
 * command line, or every running container of a Compose project (the label
 * `com.docker.compose.project` that docker-compose and `docker compose` put on
 * each container they start).
 */
import { projectTargets } from '../client/containerGroupCapture';
import type { ContainerLister } from '../client/dockerClient';
import { CaptureError } from '../protocol/captureErrors';
import type { ResolvedContainer } from '../protocol/resolvedContainer';

/** Compose's own rule for project names (lowercase letters, digits, dashes, underscores). */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,254}$/;

export function validateProjectName(name: string): string {
  if (!PROJECT_NAME.test(name)) {
    throw new CaptureError('invalid-request', `--project needs a Compose project name (lowercase letters, digits, - and _), got ${JSON.stringify(name.slice(0, 60))}`);
  }
  return name;
}

/**
 * Resolves every target: a name that is not a running container is an error,
 * as for one container; a project is resolved as VS Code's Capture Project
 * Traffic resolves it.
 */
export async function resolveCaptureTargets(docker: ContainerLister, names: readonly string[], project: string | undefined): Promise<ResolvedContainer[]> {
  if (project === undefined) {
    const targets: ResolvedContainer[] = [];
    for (const name of names) targets.push(await docker.resolveContainer(name));
    const seen = new Set<string>();
    return targets.filter((t) => !seen.has(t.id) && seen.add(t.id));
  }
  return projectTargets(docker, project);
}
