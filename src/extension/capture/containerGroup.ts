/**
 * What a capture of several containers captures, kept with its tab so
 * Capture Again starts the same again: the containers selected (by name, so
 * a re-created one is found), or a Compose project (whichever of its
 * containers run by then).
 */
export type ContainerGroup =
  | { kind: 'containers'; containers: readonly { id: string; name: string }[] }
  | { kind: 'project'; project: string };

export function groupLabel(group: ContainerGroup): string {
  return group.kind === 'project' ? `project ${group.project}` : group.containers.map((c) => c.name).join(', ');
}

/** Most containers a stored selection may name (a tab's record is stored state, checked when read back). */
const MAX_STORED_CONTAINERS = 500;
/** Docker's rule for container names (and ids); a stored one that breaks it is not ours. */
const CONTAINER_NAME_OR_ID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
/** Compose's rule for project names (as `--project` checks it). */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,254}$/;

/**
 * A group read back from stored state (a capture tab's record after a
 * reload): its shape checked, its names held to Docker's and Compose's rules.
 * Anything else is no group at all, never part of one: Capture Again would
 * otherwise capture other containers than the tab did.
 */
export function storedContainerGroup(value: unknown): ContainerGroup | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { kind?: unknown; project?: unknown; containers?: unknown };
  if (v.kind === 'project') return typeof v.project === 'string' && PROJECT_NAME.test(v.project) ? { kind: 'project', project: v.project } : undefined;
  if (v.kind !== 'containers' || !Array.isArray(v.containers) || v.containers.length === 0 || v.containers.length > MAX_STORED_CONTAINERS) return undefined;
  const containers: { id: string; name: string }[] = [];
  for (const c of v.containers as unknown[]) {
    const { id, name } = (c ?? {}) as { id?: unknown; name?: unknown };
    if (typeof id !== 'string' || typeof name !== 'string' || !CONTAINER_NAME_OR_ID.test(id) || !CONTAINER_NAME_OR_ID.test(name)) return undefined;
    containers.push({ id, name });
  }
  return { kind: 'containers', containers };
}
