/**
 * Checks on everything that reaches tcpdump's argv or the privileged helper.
 * Nothing here is ever given to a shell, but a value can still be dangerous as
 * an argument (a filter that starts with `-` would be an option; a filter that
 * closes our parenthesis could widen a bridge capture to other hosts), so each
 * value is held to the narrowest form that is still useful.
 */
import { CaptureError } from './captureErrors';
import type { CaptureRequest } from './captureRequest';

export const MAX_FILTER_LENGTH = 4096;
export const MAX_SNAP_LENGTH = 262144;

const INTERFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;
const MAC_ADDRESS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** Docker's full id: the helper matches it exactly against the PID's cgroup, so an abbreviation will not do. */
const CONTAINER_ID = /^[0-9a-f]{64}$/;

export function validateInterfaceName(name: string): string {
  // Names start with a letter or digit so none can pass for a tcpdump option.
  if (!INTERFACE_NAME.test(name) || name.startsWith('-') || name === '.' || name === '..') {
    throw new CaptureError('invalid-request', `not a valid interface name: ${JSON.stringify(name.slice(0, 40))}`);
  }
  return name;
}

export function validateMac(mac: string): string {
  const lower = mac.toLowerCase();
  if (!MAC_ADDRESS.test(lower)) throw new CaptureError('invalid-request', `not a MAC address: ${JSON.stringify(mac.slice(0, 40))}`);
  return lower;
}

export function validateContainerId(id: string): string {
  if (!CONTAINER_ID.test(id)) throw new CaptureError('invalid-request', `not a container id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}

/**
 * A BPF expression: printable text only, bounded length, and parentheses that
 * never close more than they opened, so it cannot escape the parentheses it is
 * wrapped in when combined with our own MAC filter.
 */
export function validateFilter(filter: string | undefined): string | undefined {
  if (filter === undefined) return undefined;
  const trimmed = filter.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length > MAX_FILTER_LENGTH) {
    throw new CaptureError('invalid-filter', `capture filter is longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (/[\x00-\x1f\x7f]/.test(trimmed)) throw new CaptureError('invalid-filter', 'capture filter contains control characters');
  if (trimmed.startsWith('-')) throw new CaptureError('invalid-filter', 'capture filter must not start with "-"');
  let depth = 0;
  for (const ch of trimmed) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) throw new CaptureError('invalid-filter', 'capture filter has an unmatched ")"');
  }
  if (depth !== 0) throw new CaptureError('invalid-filter', 'capture filter has an unmatched "("');
  return trimmed;
}

function positiveInteger(value: unknown, what: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new CaptureError('invalid-request', `${what} must be a whole number between 0 and ${max}`);
  }
  return value === 0 ? undefined : value;
}

/** Re-checks a request that came from a less trusted process (or a JSON file). */
export function validateRequest(raw: unknown): CaptureRequest {
  if (typeof raw !== 'object' || raw === null) throw new CaptureError('invalid-request', 'capture request is not an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.container !== 'string' || r.container.length === 0 || r.container.length > 256) {
    throw new CaptureError('invalid-request', 'capture request has no valid container');
  }
  const direction = r.direction;
  if (direction !== 'both' && direction !== 'egress' && direction !== 'ingress') {
    throw new CaptureError('invalid-request', 'direction must be egress, ingress or both');
  }
  const mode = r.mode as Record<string, unknown> | undefined;
  let validMode: CaptureRequest['mode'];
  if (mode?.kind === 'namespace') validMode = { kind: 'namespace' };
  else if (mode?.kind === 'bridge' && typeof mode.bridge === 'string') validMode = { kind: 'bridge', bridge: validateInterfaceName(mode.bridge) };
  else throw new CaptureError('invalid-request', 'capture mode must be namespace or bridge');
  const limits = (r.limits ?? {}) as Record<string, unknown>;
  const filter = r.filter === undefined ? undefined : typeof r.filter === 'string' ? validateFilter(r.filter) : undefined;
  if (r.filter !== undefined && typeof r.filter !== 'string') throw new CaptureError('invalid-filter', 'capture filter must be text');
  return {
    container: r.container,
    direction,
    mode: validMode,
    filter,
    snapLength: positiveInteger(r.snapLength, 'snap length', MAX_SNAP_LENGTH),
    limits: {
      count: positiveInteger(limits.count, 'packet count', Number.MAX_SAFE_INTEGER),
      durationSeconds: positiveInteger(limits.durationSeconds, 'duration', 31 * 24 * 3600),
      maxBytes: positiveInteger(limits.maxBytes, 'size limit', Number.MAX_SAFE_INTEGER),
    },
  };
}

/** The CLI's `-c egress,ingress` in any order and case. */
export function parseDirection(text: string): CaptureRequest['direction'] {
  const parts = new Set(text.toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  for (const p of parts) {
    if (p !== 'egress' && p !== 'ingress') throw new CaptureError('invalid-request', `unknown direction "${p}" (use egress, ingress or egress,ingress)`);
  }
  if (parts.has('egress') && parts.has('ingress')) return 'both';
  if (parts.has('egress')) return 'egress';
  if (parts.has('ingress')) return 'ingress';
  throw new CaptureError('invalid-request', 'no direction given (use egress, ingress or egress,ingress)');
}
