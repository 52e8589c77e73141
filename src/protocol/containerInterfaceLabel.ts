/**
 * One root helper capturing several containers (the CLI's `--via host` with
 * `web-1 db-1` or `--project`) sends every container's frames over one
 * channel. A frame batch names each frame's interface only, so in such a
 * capture the name says both: `web-1/eth0`. That is unambiguous because
 * neither part may hold a `/` (Docker's name rule below; interface names per
 * validateInterfaceName), and it is the very name `-w x.pcapng` gives the
 * interface. A one-container capture keeps plain `eth0`.
 */

/** Docker's own rule for container names, bounded so `name/interface` fits a frame batch's 255-byte name. */
const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

export function isLabelableContainerName(name: string): boolean {
  return CONTAINER_NAME.test(name);
}

export function containerInterfaceLabel(container: string, interfaceName: string): string {
  return `${container}/${interfaceName}`;
}

/** The two parts of a label; undefined for a plain interface name (a one-container capture). */
export function splitContainerInterfaceLabel(label: string): { container: string; interfaceName: string } | undefined {
  const slash = label.indexOf('/');
  if (slash <= 0 || slash === label.length - 1) return undefined;
  return { container: label.slice(0, slash), interfaceName: label.slice(slash + 1) };
}
