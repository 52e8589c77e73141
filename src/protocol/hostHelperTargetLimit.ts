/**
 * The one check, made before anything starts, that a list of containers fits
 * one host helper (MAX_CAPTURE_TARGETS; the helper refuses a longer request on
 * its own too). The CLI and VS Code each name their own way past the limit.
 */
import { CaptureError } from './captureErrors';
import { MAX_CAPTURE_TARGETS } from './helperMessages';

/** Throws invalid-request when `count` containers are more than one host helper captures; `otherWay` says how else to capture them all. */
export function checkHostHelperTargetCount(count: number, otherWay: string): void {
  if (count > MAX_CAPTURE_TARGETS) {
    throw new CaptureError('invalid-request', `${count} containers: the host helper captures at most ${MAX_CAPTURE_TARGETS} at once (${otherWay})`);
  }
}
