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
  // The timeline printer writes text; stdout's backpressure is not waited for on this path yet.
  const textOut = (onClosed: () => void): ((text: string) => void) => {
    const out = stdoutOutput(onClosed);
    return (text) => out.write(text);
  };
  if (backend === 'helperContainer') return captureManyViaContainers(o, PROGRAM, outputFormat(o), textOut);
  return captureManyOnHost(o, cliReporter(o.verbose));
}
