/**
 * How a row of a capture of several containers says where it was captured,
 * inside the frameBatch encoding every inspector already reads: its interface
 * name becomes `<who>/<interface>`, the (container, interface) pair a pcapng
 * file names an interface by (`web-1/eth0`). `<who>` is the container in whose
 * namespace it was captured, or, for a packet from one captured container to
 * another, both ends: `web-1 -> db-1` (seen leaving and arriving, one row) or
 * `web-1 -> db-1 (not seen arriving)`.
 *
 * Linux interface names cannot contain `/` and Docker container names cannot
 * either, so a `/` in an interface name means a multi-container row, and the
 * text after the last `/` is the real interface. The capture spool keeps these
 * names (its sidecar), so a reloaded tab still knows its rows' containers.
 */
import type { TimelinePacket } from './containerFrame';

/** What the frameBatch encoding keeps of a name (u8 length). */
const MAX_NAME_BYTES = 255;
const NOT_SEEN_ARRIVING = ' (not seen arriving)';

/** The container label of a timeline row: `web-1`, `web-1 -> db-1` or `web-1 -> db-1 (not seen arriving)`. */
export function timelineRowContainer(packet: TimelinePacket): string {
  const d = packet.delivery;
  if (!d) return packet.frame.container;
  return `${d.sentBy} -> ${d.receivedBy}${d.state === 'not-seen-arriving' ? NOT_SEEN_ARRIVING : ''}`;
}

/** The interface name a timeline row is stored under: `<who>/<interface>`. */
export function timelineInterfaceName(packet: TimelinePacket): string {
  const iface = packet.frame.interfaceName;
  const full = `${timelineRowContainer(packet)}/${iface}`;
  if (full.length <= MAX_NAME_BYTES) return full;
  // Only names near Docker's 255-character limit get here: keep the interface readable.
  return `${packet.frame.container.slice(0, MAX_NAME_BYTES - iface.length - 1)}/${iface}`;
}

/** The parts of a stored interface name; `container` is undefined for a one-container capture's plain `eth0`. */
export function splitTimelineInterface(name: string): { container: string | undefined; iface: string } {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? { container: undefined, iface: name } : { container: name.slice(0, slash), iface: name.slice(slash + 1) };
}

/** The Container column's text: the arrow as an arrow. */
export function containerColumnText(container: string | undefined): string {
  return container === undefined ? '' : container.replace(' -> ', ' → ');
}
