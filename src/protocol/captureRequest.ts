/**
 * What the unprivileged side asks the capture engine for. The same shape is
 * written (as JSON, 0600) for the elevated helper, which validates every field
 * again before acting on it as root.
 */

/** The seed's `-c`: egress, ingress, or both. */
export type CaptureDirection = 'both' | 'egress' | 'ingress';

export type CaptureMode =
  /** Every interface in the container's network namespace, plus its loopback. */
  | { kind: 'namespace' }
  /** The seed's `-b BRIDGE`: the host bridge, filtered to the container's MAC addresses. */
  | { kind: 'bridge'; bridge: string };

export interface CaptureLimits {
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Stop after this many captured bytes (frame bytes). */
  maxBytes?: number;
}

export interface CaptureRequest {
  /** Container name or id, as the user gave it. */
  container: string;
  direction: CaptureDirection;
  mode: CaptureMode;
  /** BPF capture filter (tcpdump expression), passed to tcpdump as one argv element. */
  filter?: string;
  /** Bytes kept of each frame (tcpdump -s); 0 or absent = whole frame. */
  snapLength?: number;
  limits?: CaptureLimits;
}
