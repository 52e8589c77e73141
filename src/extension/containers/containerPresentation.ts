/**
 * How a container appears in the tree, as plain data: the tree provider turns
 * it into TreeItems. Kept free of `vscode` so the choices are unit-tested.
 */
import { COMPOSE_PROJECT_LABEL } from '../../client/composeLabel';
import type { ContainerState, ContainerSummary } from '../../client/dockerClient';

export type ContainerContextValue = 'runningContainer' | 'pausedContainer' | 'stoppedContainer';

/** A codicon id and an optional theme colour id. */
export interface StateIcon {
  id: string;
  color?: string;
}

export function contextValueFor(state: ContainerState): ContainerContextValue {
  switch (state) {
    case 'running':
      return 'runningContainer';
    case 'paused':
      return 'pausedContainer';
    default:
      return 'stoppedContainer';
  }
}

export function iconFor(state: ContainerState): StateIcon {
  switch (state) {
    case 'running':
      return { id: 'vm-running', color: 'charts.green' };
    case 'paused':
      return { id: 'debug-pause', color: 'charts.yellow' };
    case 'restarting':
      return { id: 'sync~spin' };
    case 'created':
      return { id: 'vm-outline' };
    case 'removing':
    case 'dead':
      return { id: 'circle-slash', color: 'charts.red' };
    case 'exited':
      return { id: 'vm-outline' };
  }
}

/** "image · status", e.g. "nginx:1.27 · Up 5 minutes"; "capturing · …" while a capture of it runs. */
export function descriptionFor(c: ContainerSummary, captured = false): string {
  return `${captured ? 'capturing · ' : ''}${c.image} · ${c.status}`;
}

/** A container being captured shows the record icon, as the status-bar item does. */
export const CAPTURING_ICON: StateIcon = { id: 'record', color: 'charts.red' };

/** Markdown-free tooltip: name, short id, image, status, then one line per network with its addresses. */
export function tooltipFor(c: ContainerSummary): string {
  const lines = [c.name, `ID: ${c.id.slice(0, 12)}`, `Image: ${c.image}`, `Status: ${c.status}`];
  if (c.networks.length === 0) lines.push('No networks');
  for (const n of c.networks) {
    const addresses = [n.ipv4, n.ipv6].filter((a): a is string => Boolean(a));
    lines.push(`${n.name}: ${addresses.length > 0 ? addresses.join(', ') : 'no address'}${n.mac ? ` (${n.mac})` : ''}`);
  }
  return lines.join('\n');
}

export type ContainerTreeNode =
  | { kind: 'project'; project: string; containers: ContainerSummary[] }
  | { kind: 'container'; container: ContainerSummary };

/**
 * The tree's top level: one node per Compose project (sorted by name, its
 * containers sorted by name), then the containers outside any project.
 */
export function groupContainers(containers: readonly ContainerSummary[]): ContainerTreeNode[] {
  const byProject = new Map<string, ContainerSummary[]>();
  const loose: ContainerSummary[] = [];
  for (const c of containers) {
    const project = c.labels[COMPOSE_PROJECT_LABEL]?.trim();
    if (project) {
      const list = byProject.get(project) ?? [];
      list.push(c);
      byProject.set(project, list);
    } else {
      loose.push(c);
    }
  }
  const byName = (a: ContainerSummary, b: ContainerSummary): number => a.name.localeCompare(b.name);
  const projects = [...byProject.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([project, list]): ContainerTreeNode => ({ kind: 'project', project, containers: list.sort(byName) }));
  return [...projects, ...loose.sort(byName).map((container): ContainerTreeNode => ({ kind: 'container', container }))];
}

/**
 * Every known container address -> container name, for the inspector's
 * Source/Destination columns. Running containers win over stopped ones that
 * last held the same address.
 */
export function hostnamesFrom(containers: readonly ContainerSummary[]): Record<string, string> {
  const map: Record<string, string> = {};
  const ordered = [...containers].sort((a, b) => Number(a.state === 'running') - Number(b.state === 'running'));
  for (const c of ordered) {
    for (const n of c.networks) {
      if (n.ipv4) map[n.ipv4] = c.name;
      if (n.ipv6) map[n.ipv6] = c.name;
    }
  }
  return map;
}

/**
 * The next address -> name map: what the listing says now, plus every address
 * an earlier listing named and no container holds now. A stopped container
 * loses its addresses in Docker's list, yet the rows it sent while it ran must
 * keep its name (not fall back to a raw IP). A container that takes such an
 * address over replaces the old name, as in Wireshark's name resolution the
 * name is the latest one known for the address.
 */
export function mergeHostnames(previous: Record<string, string>, listed: Record<string, string>): Record<string, string> {
  return { ...previous, ...listed };
}

export function sameHostnames(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
