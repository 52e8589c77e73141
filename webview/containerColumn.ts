/**
 * The Container column of a capture of several containers: the container in
 * whose network namespace a row was captured, or `web-1 → db-1` for a packet
 * sent by one captured container and received by another (shown once). It
 * reads the row's interface name (`web-1/eth0`, core/timeline/timelineInterface.ts)
 * and shows only when some row has one: a one-container capture or a pcap file
 * keeps the list it always had.
 */
import { CONTAINER_COLUMN_KEY } from './containerCells';
import type { ListColumn } from './packetList';

export { ContainerColumnPresence, containerCells, CONTAINER_COLUMN_KEY } from './containerCells';

export const CONTAINER_COLUMN: ListColumn = {
  title: 'Container',
  width: '220px',
  className: 'col-container',
  key: CONTAINER_COLUMN_KEY,
  tooltip: 'The container in whose network namespace the packet was captured; A → B: sent by A and received by B (one row for both copies)',
};
