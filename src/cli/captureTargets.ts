/**
 * The containers a capture of several is about: the names given on the
 * command line, or every running container of a Compose project (the label
 * `com.docker.compose.project` that docker-compose and `docker compose` put on
 * each container they start).
 */
import { COMPOSE_PROJECT_LABEL } from '../client/composeLabel';
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

/** Resolves every target; a name that is not a running container is an error, as for one container. */
export async function resolveCaptureTargets(docker: ContainerLister, names: readonly string[], project: string | undefined): Promise<ResolvedContainer[]> {
  if (project === undefined) {
    const targets: ResolvedContainer[] = [];
    for (const name of names) targets.push(await docker.resolveContainer(name));
    const seen = new Set<string>();
    return targets.filter((t) => !seen.has(t.id) && seen.add(t.id));
  }
  const members = (await docker.listContainers()).filter((c) => c.labels[COMPOSE_PROJECT_LABEL] === project && c.state === 'running');
  if (members.length === 0) {
    throw new CaptureError('no-such-container', `no running container of Compose project ${JSON.stringify(project)} (label ${COMPOSE_PROJECT_LABEL})`);
  }
  const targets: ResolvedContainer[] = [];
  for (const m of members) {
    try {
      targets.push(await docker.resolveContainer(m.id));
    } catch (err) {
      // Stopped between the list and now: the project goes on without it.
      if (!(err instanceof CaptureError && err.code === 'container-not-running')) throw err;
    }
  }
  return targets;
}
