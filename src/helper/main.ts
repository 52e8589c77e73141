/**
 * The capture helper's entry point, one bundle for two processes:
 *
 *   helper.js REQUEST   the root helper (rootHelper.ts), started through
 *                       pkexec/sudo-prompt or directly when VS Code runs as root
 *   helper.js --read    the packet reader (packetReader.ts), which the root
 *                       helper starts confined through setpriv
 *
 * It never imports `vscode` and never runs a shell.
 */
import { isCaptureError } from '../protocol/captureErrors';
import { HelperExitCode } from '../protocol/helperMessages';
import { runPacketReader } from './packetReader';
import { runRootHelper } from './rootHelper';

const role = process.argv[2] === '--read' ? runPacketReader() : runRootHelper(process.argv[2]);

role.then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`docker-network-capture helper: ${err instanceof Error ? err.message : String(err)}\n`);
    // Refusals happen before the channel is connected, so the exit code is the
    // only way to tell the user's side which kind it was (see captureClient).
    process.exit(
      !isCaptureError(err) ? HelperExitCode.failed
        : err.code === 'invalid-request' ? HelperExitCode.requestRefused
          : err.code === 'invalid-filter' ? HelperExitCode.filterRefused
            : HelperExitCode.failed,
    );
  },
);
