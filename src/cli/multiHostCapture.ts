/** Several containers through the host's root helper: not yet; the helper-container path does it. */
import { CaptureError } from '../protocol/captureErrors';
import type { CliOptions } from './cliArguments';
import type { CliReporter } from './cliOutput';

export function captureManyOnHost(o: CliOptions, report: CliReporter): Promise<number> {
  void o;
  void report;
  return Promise.reject(new CaptureError('invalid-request', 'several containers or --project: use --via container (the host helper captures one container at a time for now)'));
}
