/** What a tree command acts on when several rows are selected. No `vscode` here (unit-tested). */
import type { ContainerSummary } from '../../client/dockerClient';

/**
 * The running containers of a multi-selection (VS Code passes the clicked item,
 * then every selected one), when more than one of them runs; undefined otherwise.
 */
export function selectedRunningContainers(clicked: unknown, selected: unknown): ContainerSummary[] | undefined {
  if (!Array.isArray(selected) || selected.length < 2) return undefined;
  // A right-click outside the selection acts on the clicked row alone, as VS Code's own views do.
  if (clicked !== undefined && !selected.includes(clicked)) return undefined;
  const containers = selected
    .map((item) => (item as { container?: ContainerSummary } | undefined)?.container)
    .filter((c): c is ContainerSummary => c !== undefined && typeof c.id === 'string' && c.state === 'running');
  return containers.length > 1 ? containers : undefined;
}

