/**
 * Which way a capture reaches the packets: the host helper (tcpdump on this
 * machine, in the container's namespace, through sudo-prompt/pkexec or
 * directly as root) or the helper container (tcpdump in a short-lived
 * container the engine starts in the target's namespace, read over the Docker
 * API). Pure, so every rule below is unit-tested.
 */

/** The setting `dockerNetworkCapture.captureBackend`; the CLI's `--via auto|host|container` maps onto it. */
export type CaptureBackendSetting = 'auto' | 'hostHelper' | 'helperContainer';
export type CaptureBackend = 'hostHelper' | 'helperContainer';

export interface BackendFacts {
  /** The engine's containers run on this machine's kernel (a local socket, not ssh or a remote tcp host). */
  engineLocal: boolean;
  /** Podman's Docker-compatible API. */
  podman: boolean;
  /** Docker Desktop: the engine runs in a VM, where no host tcpdump can see. */
  dockerDesktop: boolean;
  /** process.platform: only Linux can enter a container's namespace from the host. */
  platform: string;
  /** This process is root: the host helper starts without a prompt. */
  root: boolean;
  /**
   * Elevation can be asked for here: pkexec exists and a polkit agent can answer
   * it (a desktop session, not VS Code Remote-SSH / a tunnel / a dev container).
   * The CLI never prompts: false there.
   */
  canElevate: boolean;
}

export interface BackendChoice {
  backend: CaptureBackend;
  /** Why, in words a user reads once ("the engine is remote (ssh://…)"). */
  reason: string;
}

export function parseBackendSetting(value: string | undefined): CaptureBackendSetting {
  return value === 'hostHelper' || value === 'helperContainer' ? value : 'auto';
}

/** The CLI's `--via`: `host` and `container` are the two backends, `auto` decides. */
export function backendSettingFromVia(via: string): CaptureBackendSetting | undefined {
  switch (via) {
    case 'auto':
      return 'auto';
    case 'host':
      return 'hostHelper';
    case 'container':
      return 'helperContainer';
    default:
      return undefined;
  }
}

export function chooseCaptureBackend(setting: CaptureBackendSetting, facts: BackendFacts): BackendChoice {
  if (setting === 'hostHelper') return { backend: 'hostHelper', reason: 'chosen in the settings' };
  if (setting === 'helperContainer') return { backend: 'helperContainer', reason: 'chosen in the settings' };
  const container = (reason: string): BackendChoice => ({ backend: 'helperContainer', reason });
  if (facts.platform !== 'linux') return container(`this machine runs ${facts.platform}: the engine's containers are in a VM the host cannot capture in`);
  if (!facts.engineLocal) return container('the engine is on another machine');
  if (facts.dockerDesktop) return container('Docker Desktop runs its engine in a VM the host cannot capture in');
  if (facts.podman) return container('the engine is Podman');
  if (facts.root) return { backend: 'hostHelper', reason: 'running as root on the engine\'s machine' };
  if (!facts.canElevate) return container('no password prompt can be shown here (no polkit agent)');
  return { backend: 'hostHelper', reason: 'the engine is on this machine' };
}
