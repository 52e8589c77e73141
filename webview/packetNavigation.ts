/**
 * Go to Packet (Ctrl+G) and Find Packet (Ctrl+F), in the order the list shows
 * its rows. Each returns '' when it selected a packet, else what to tell the
 * user in the jump bar.
 */
import type { StreamFieldSource } from '../src/core/filter/streamFields';
import { formatCount } from './format';
import type { InspectorState } from './inspectorState';
import type { ListView } from './inspectorViews';
import { compileSearch, findShownIndex, type SearchMode } from './packetSearch';

export function goToPacket(state: InspectorState, list: ListView, n: number): string {
  const store = state.store;
  if (store.rowOf(n) < 0) return `Packet ${formatCount(n)} is not in this capture${store.size > 0 ? ` (${formatCount(store.firstNumber)}–${formatCount(store.firstNumber + store.size - 1)})` : ''}`;
  if (state.rows.indexOf(n) < 0) return `Packet ${formatCount(n)} is hidden by the display filter`;
  list.setFollow(false);
  list.select(n, true);
  list.focus();
  return '';
}

export function findPacket(state: InspectorState, list: ListView, streams: StreamFieldSource, mode: SearchMode, text: string, backwards: boolean): string {
  const search = compileSearch(mode, text, { hostnames: state.hostnames, streams, decrypted: state.tls });
  if (!search.ok) return search.message;
  const sorted = state.sorted;
  const count = sorted.length;
  if (count === 0) return 'No packets';
  // In the order the list shows: "next" is the next row down, sorted or not.
  const current = sorted.indexOf(list.selectedNumber);
  const from = current >= 0 ? current : backwards ? count : -1;
  const index = findShownIndex(state.store, { count, numberAt: (i) => sorted.numberAt(i) }, search.test, from, backwards);
  if (index < 0) return 'No packet matches';
  list.setFollow(false);
  list.select(sorted.numberAt(index), true);
  return '';
}
