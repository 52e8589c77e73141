/**
 * Several containers (`web-1 db-1`) or a Compose project (`--project NAME`)
 * in one capture: through helper containers (multiContainerCapture.ts), or,
 * as root on this host, through one root helper that captures them all
 * (multiHostCapture.ts).
 */
import type { CaptureBackend } from '../client/captureBackendChoice';
import type { CliOptions } from './cliArguments';
import { cliReporter, outputFormat, PROGRAM } from './cliOutput';
import { captureManyViaContainers } from './multiContainerCapture';
import { captureManyOnHost } from './multiHostCapture';
import { stdoutOutput } from './printerOutput';

export function captureMany(o: CliOptions, backend: CaptureBackend): Promise<number> {
  if (backend === 'helperContainer') return captureManyViaContainers(o, PROGRAM, outputFormat(o), stdoutOutput);
  return captureManyOnHost(o, cliReporter(o.verbose));
}
