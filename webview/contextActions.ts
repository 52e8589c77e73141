/**
 * What each context-menu entry does (package.json `webview/context`; the host
 * relays the chosen entry as a `contextAction` message): filters built from
 * the right-clicked cell or field, copies, marks, Go to Packet and Find, the
 * list's columns, time format and name resolution.
 */
import { addressFilter, combineFilter, quoteFilterValue, type FilterCombination } from '../src/core/filter/filterFromSelection';
import type { CapturedFrame } from '../src/core/packet';
import type { InspectorAction, ToWebviewMessage } from '../src/protocol/webviewMessages';
import type { TreeField } from './detailPane';
import { hexDumpText, hexStreamText, legacyText, summaryLine, type PacketRowValues } from './packetText';

export interface ActionTarget {
  filterText(): string;
  /** Puts `text` in the filter box; applies it when `apply`, else focuses the box (Prepare as Filter). */
  setFilter(text: string, apply: boolean): void;
  rowValues(packetNumber: number): PacketRowValues | undefined;
  frame(packetNumber: number): CapturedFrame | undefined;
  /** The address as the list shows it (a container name when known). */
  displayAddress(address: string): string;
  field(packetNumber: number, id: string): TreeField | undefined;
  toggleMark(packetNumber: number): void;
  openGoTo(): void;
  openFind(): void;
  hideColumn(key: string): void;
  showAllColumns(): void;
  /** What the Time column shows (View > Time Display Format in Wireshark). */
  setTimeFormat(format: 'sinceStart' | 'sincePrevious' | 'absolute'): void;
  /** Container names for known addresses (true), or the addresses themselves. */
  setResolveNames(resolve: boolean): void;
  copy(text: string): void;
  /** Tells the user why an entry did nothing. */
  notice(message: string): void;
  /** Follow TCP/UDP/TLS Stream of a packet; the Conversations and HTTP/DNS exchanges views. */
  followStream(packetNumber: number, protocol: 'tcp' | 'udp' | 'tls'): void;
  showConversations(): void;
  showExchanges(): void;
  /** Who talks to whom (webview/serviceMapView.ts). */
  showServiceMap(): void;
}

type ContextMessage = Extract<ToWebviewMessage, { type: 'contextAction' }>;

const COMBINATIONS: Record<string, FilterCombination> = {
  Selected: 'selected',
  NotSelected: 'notSelected',
  AndSelected: 'andSelected',
  OrSelected: 'orSelected',
  AndNotSelected: 'andNotSelected',
  OrNotSelected: 'orNotSelected',
};

export function runContextAction(target: ActionTarget, message: ContextMessage): void {
  const action: InspectorAction = message.action;
  const n = message.packet ?? 0;
  const filterMatch = /^(apply|prepare)(\w+)$/.exec(action);
  const combination = filterMatch ? COMBINATIONS[filterMatch[2] ?? ''] : undefined;
  if (filterMatch && combination) {
    const selected = message.field !== undefined ? target.field(n, message.field)?.filter : cellFilterFor(target, n, message.column);
    if (!selected) {
      target.notice('This field has no display-filter name');
      return;
    }
    target.setFilter(combineFilter(target.filterText(), selected, combination), filterMatch[1] === 'apply');
    return;
  }
  switch (action) {
    case 'copySummary': {
      const values = target.rowValues(n);
      if (values) target.copy(summaryLine(values, (a) => target.displayAddress(a)));
      return;
    }
    case 'copyHexDump':
    case 'copyHexStream':
    case 'copyLegacyText': {
      const frame = target.frame(n);
      if (!frame) return;
      target.copy(action === 'copyHexDump' ? hexDumpText(frame.data) : action === 'copyHexStream' ? hexStreamText(frame.data) : legacyText(frame));
      return;
    }
    case 'copyFieldValue':
    case 'copyFieldFilter': {
      const field = message.field !== undefined ? target.field(n, message.field) : undefined;
      if (!field) return;
      if (action === 'copyFieldValue') target.copy(field.field.value);
      else if (field.filter) target.copy(field.filter);
      else target.notice('This field has no display-filter name');
      return;
    }
    case 'toggleMark':
      if (n > 0) target.toggleMark(n);
      return;
    case 'goToPacket':
      target.openGoTo();
      return;
    case 'find':
      target.openFind();
      return;
    case 'hideColumn':
      if (message.column) target.hideColumn(message.column);
      return;
    case 'showAllColumns':
      target.showAllColumns();
      return;
    case 'timeSinceStart':
      target.setTimeFormat('sinceStart');
      return;
    case 'timeSincePrevious':
      target.setTimeFormat('sincePrevious');
      return;
    case 'timeAbsolute':
      target.setTimeFormat('absolute');
      return;
    case 'showNames':
    case 'showAddresses':
      target.setResolveNames(action === 'showNames');
      return;
    case 'followTcpStream':
    case 'followUdpStream':
      if (n > 0) target.followStream(n, action === 'followTcpStream' ? 'tcp' : 'udp');
      return;
    case 'followTlsStream':
      if (n > 0) target.followStream(n, 'tls');
      return;
    case 'showConversations':
      target.showConversations();
      return;
    case 'showExchanges':
      target.showExchanges();
      return;
    case 'showServiceMap':
      target.showServiceMap();
      return;
    default:
      return;
  }
}

function cellFilterFor(target: ActionTarget, n: number, column: string | undefined): string | undefined {
  const values = target.rowValues(n);
  return values ? cellFilter(column, values) : undefined;
}

/** The filter for a cell of the list, like Wireshark's Apply as Filter on a column. */
export function cellFilter(column: string | undefined, values: PacketRowValues): string {
  const byNumber = `frame.number == ${values.number}`;
  switch (column) {
    case 'source': return addressFilter('src', values.source) ?? byNumber;
    case 'destination': return addressFilter('dst', values.destination) ?? byNumber;
    case 'direction': return values.direction ? `dir == ${values.direction}` : byNumber;
    case 'interface':
    // A capture of several containers names the interface `web-1/eth0`: the container's rows on it.
    case 'container': return values.iface ? `iface == ${quoteFilterValue(values.iface)}` : byNumber;
    case 'protocol': return `proto == ${quoteFilterValue(values.protocol)}`;
    case 'length': return `frame.len == ${values.length}`;
    case 'info': return `info contains ${quoteFilterValue(values.info)}`;
    default: return byNumber;
  }
}
