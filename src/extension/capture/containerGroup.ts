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
