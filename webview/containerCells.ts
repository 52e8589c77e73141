/**
 * What the Container column shows, without the DOM (unit-tested): the cells
 * of a row from its stored interface name, and whether any row of the store
 * names a container at all.
 */
import type { StringTable } from '../src/core/packetStore';
import { containerColumnText, splitTimelineInterface } from '../src/core/timeline/timelineInterface';

/** The column's key (context menu `column`, sort, hidden columns). */
export const CONTAINER_COLUMN_KEY = 'container';

/** What the Container and Interface cells show for a stored interface name. */
export function containerCells(interfaceName: string): { container: string; iface: string; title: string } {
  const where = splitTimelineInterface(interfaceName);
  const container = containerColumnText(where.container);
  const title = where.container?.includes(' -> ') ? `${container}: seen leaving the first and arriving at the second, shown once` : container;
  return { container, iface: where.iface, title };
}

/** Whether any stored interface name carries a container; looks only at names added since the last call. */
export class ContainerColumnPresence {
  private table: StringTable | undefined;
  private checked = 0;
  private present = false;

  /** True once some row of the store names its container (reset when the store is replaced). */
  update(interfaces: StringTable): boolean {
    if (interfaces !== this.table) {
      this.table = interfaces;
      this.checked = 0;
      this.present = false;
    }
    const names = interfaces.values;
    for (; !this.present && this.checked < names.length; this.checked++) if (names[this.checked]?.includes('/')) this.present = true;
    this.checked = names.length;
    return this.present;
  }
}
