/**
 * The Container column of a capture of several containers: the container in
 * whose network namespace a row was captured, or `web-1 → db-1` for a packet
 * sent by one captured container and received by another (shown once). It
 * reads the row's interface name (`web-1/eth0`, core/timeline/timelineInterface.ts)
 * and shows only when some row has one: a one-container capture or a pcap file
 * keeps the list it always had.
 */
import type { StringTable } from '../src/core/packetStore';
import { containerColumnText, splitTimelineInterface } from '../src/core/timeline/timelineInterface';
import type { ListColumn } from './packetList';

export const CONTAINER_COLUMN_KEY = 'container';

export const CONTAINER_COLUMN: ListColumn = {
  title: 'Container',
  width: '220px',
  className: 'col-container',
  key: CONTAINER_COLUMN_KEY,
  tooltip: 'The container in whose network namespace the packet was captured; A → B: sent by A and received by B (one row for both copies)',
};

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
