/** Typed access to the `dockerNetworkCapture.*` settings declared in package.json. */
import * as vscode from 'vscode';
import { parseBackendSetting, type CaptureBackendSetting } from '../client/captureBackendChoice';
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
  /** In-memory byte budget of one capture, in bytes (from `maxMemoryMB`); the inspector tab holds its own copy within the same budget. */
  maxMemoryBytes: number;
  /** Size cap of one capture's spool on disk, in bytes (from `maxSpoolMB`). */
  maxSpoolBytes: number;
  verbose: boolean;
  /** How captures reach the packets: auto, the host helper (sudo-prompt), or a helper container. */
  captureBackend: CaptureBackendSetting;
  /** Image with tcpdump for the helper container; empty = the built-in default. */
  helperImage: string;
}

const MB = 1024 * 1024;

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
    maxMemoryBytes: clampInt(c.get<number>('maxMemoryMB', 512), 16, 65_536, 512) * MB,
    maxSpoolBytes: clampInt(c.get<number>('maxSpoolMB', 2048), 64, 1_048_576, 2048) * MB,
    verbose: c.get<boolean>('verbose', false),
    captureBackend: parseBackendSetting(c.get<string>('captureBackend', 'auto')),
    helperImage: c.get<string>('helperImage', '').trim(),
  };
}

export function affectsSetting(e: vscode.ConfigurationChangeEvent, key: Exclude<keyof ExtensionSettings, 'maxMemoryBytes' | 'maxSpoolBytes'> | 'bridge' | 'maxMemoryMB' | 'maxSpoolMB'): boolean {
  return e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`);
}

function clampInt(value: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}
