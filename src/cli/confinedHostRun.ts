/**
 * The last steps the CLI's two host paths share, as root (one container:
 * hostCapture.ts; several: multiHostCapture.ts), once every Docker connection
 * is closed: the channel lives in a directory of root's (the helper, started
 * with a clean environment, expects its requester to be root) and is removed
 * as soon as the helper is connected, since after the drop nobody could not;
 * then the confined printer takes the handed-over channel, this process drops
 * to nobody, and only then is the printer told its configuration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapture } from '../client/captureClient';
import { dropPrivileges, isRoot, nobodyIdentity } from '../helper/privileges';
import type { CaptureRequest } from '../protocol/captureRequest';
import { runCapture, type CaptureTarget } from './captureCommand';
import { captureFileFormat } from './captureFileSinks';
import type { CliOptions } from './cliArguments';
import { outputFormat, type CliReporter } from './cliOutput';
import { startPrinter, type PrinterLaunchOptions } from './printerLaunch';
import { cliScriptPath } from './rootInvocation';

export interface ConfinedHostRun {
  /** The helper's script (dist/helper.js) and setpriv, found before anything ran. */
  helper: string;
  setpriv: string;
  /** What this capture adds to the printer's options (its container, timeline or key log). */
  printer: Pick<PrinterLaunchOptions, 'tlsKeyLog' | 'container' | 'timeline'>;
  /** Runs once the printer is started, before the drop. */
  beforeDrop?: () => void;
  /** What --verbose says once root is dropped. */
  droppedLine: (nobodyLabel: string, printerPid: string) => string;
}

export async function runConfinedHostCapture(o: CliOptions, target: CaptureTarget, request: CaptureRequest, run: ConfinedHostRun, report: CliReporter): Promise<number> {
  const channelParent = mkdtempSync(join(tmpdir(), 'dnc-cli-'));
  const nobody = nobodyIdentity();
  try {
    return await runCapture(o, target, request, {
      start: startCapture,
      options: { helperScript: run.helper, nodeExecutable: process.execPath, elevation: 'direct', verbose: o.verbose, channelParentDirectory: channelParent },
      handOver(info, captureFd) {
        const channel = info.takeChannel?.();
        if (!channel) throw new Error('the capture channel cannot be handed over');
        rmSync(channelParent, { recursive: true, force: true });
        const printer = startPrinter(channel, captureFd, run.setpriv, nobody, {
          format: outputFormat(o),
          verbose: o.verbose,
          snapLength: o.snapLength || 262144,
          runtime: process.execPath,
          script: cliScriptPath(),
          ...(o.writeFile ? { captureFormat: captureFileFormat(o.writeFile) } : {}),
          ...run.printer,
        });
        run.beforeDrop?.();
        dropPrivileges(nobody);
        printer.sendConfig();
        return { printer, line: run.droppedLine(nobody.label, String(printer.pid)) };
      },
    }, report);
  } finally {
    if (isRoot()) rmSync(channelParent, { recursive: true, force: true });
  }
}
