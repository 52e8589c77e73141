/** Failures a user can act on, each with a code the UI maps to a message. */
export type CaptureErrorCode =
  | 'no-such-container'
  | 'container-not-running'
  | 'no-network-namespace'
  | 'docker-unreachable'
  | 'tcpdump-missing'
  | 'not-root'
  | 'cancelled'
  /** polkit said no (pkexec "Not authorized"): not a dismissed dialog, and retrying will not help. */
  | 'authorization-refused'
  | 'elevation-failed'
  | 'invalid-request'
  | 'invalid-filter'
  | 'helper-failed';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

export function isCaptureError(e: unknown): e is CaptureError {
  return e instanceof CaptureError;
}
