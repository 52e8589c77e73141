/** Typed access to the `dockerNetworkCapture.*` settings declared in package.json. */
import * as vscode from 'vscode';
import type { CaptureDirection, CaptureMode } from '../protocol/captureRequest';

export const SETTINGS_SECTION = 'dockerNetworkCapture';

export interface ExtensionSettings {
  /** Empty = DOCKER_HOST, then the default socket. */
  dockerHost: string;
  /** A docker context by name; empty = DOCKER_CONTEXT, then the current context. */
  dockerContext: string;
  captureMode: CaptureMode;
  direction: CaptureDirection;
  snapLength: number;
  maxPackets: number;
  verbose: boolean;
}

export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const mode = c.get<string>('captureMode', 'namespace');
  const bridge = c.get<string>('bridge', 'docker0').trim() || 'docker0';
  const direction = c.get<string>('direction', 'both');
  return {
    dockerHost: c.get<string>('dockerHost', '').trim(),
    dockerContext: c.get<string>('dockerContext', '').trim(),
    captureMode: mode === 'bridge' ? { kind: 'bridge', bridge } : { kind: 'namespace' },
    direction: direction === 'egress' || direction === 'ingress' ? direction : 'both',
    snapLength: clampInt(c.get<number>('snapLength', 0), 0, 262144, 0),
    maxPackets: clampInt(c.get<number>('maxPackets', 1_000_000), 1000, 10_000_000, 1_000_000),
    verbose: c.get<boolean>('verbose', false),
  };
}

export function affectsSetting(e: vscode.ConfigurationChangeEvent, key: keyof ExtensionSettings | 'bridge'): boolean {
  return e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`);
}

function clampInt(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}
