/**
 * Reading back what a restored inspector's saved webview state says. That
 * state comes from the webview, a less trusted runtime: each field's shape is
 * checked, strings are bounded, and the spool path is validated later against
 * the spool folder. No `vscode` here.
 */
import type { CaptureStatus } from '../../protocol/webviewMessages';
import { storedContainerGroup } from '../capture/containerGroup';
import type { InspectorHostState } from './inspectorHtml';

const MAX_MESSAGE_CHARS = 500;
const MAX_FILTER_CHARS = 2000;

/** `{ host: { spool, container?, group?, direction?, filter? } }` as hostStateScript saves it (or a capture tab's record). */
export function restoredHostState(state: unknown): InspectorHostState | undefined {
  const host = (state as { host?: Record<string, unknown> } | undefined)?.host;
  if (!host || typeof host.spool !== 'string') return undefined;
  const c = host.container as { id?: unknown; name?: unknown } | undefined;
  const container = c && typeof c.id === 'string' && typeof c.name === 'string' ? { id: c.id, name: c.name } : undefined;
  // Absent in what versions before group Capture Again saved: such a tab restores without it.
  const group = storedContainerGroup(host.group);
  const direction = host.direction === 'both' || host.direction === 'egress' || host.direction === 'ingress' ? host.direction : undefined;
  const filter = typeof host.filter === 'string' && host.filter.length <= MAX_FILTER_CHARS ? host.filter : undefined;
  return { spool: host.spool, ...(container ? { container } : {}), ...(group ? { group } : {}), ...(direction ? { direction } : {}), ...(filter ? { filter } : {}) };
}

/** How the capture had ended before the reload (the webview's `endStatus`); undefined while it was still running. */
export function restoredEndStatus(state: unknown): CaptureStatus | undefined {
  const end = (state as { endStatus?: { state?: unknown; message?: unknown } } | undefined)?.endStatus;
  if (!end || (end.state !== 'ended' && end.state !== 'error') || typeof end.message !== 'string') return undefined;
  return { state: end.state, message: end.message.slice(0, MAX_MESSAGE_CHARS) };
}
