/**
 * docker-network-capture: the seed tool's command line on this project's engine.
 *
 *   sudo node /absolute/path/to/dist/cli.js [options] container
 *
 * As root it resolves the container, closes its Docker connections, starts
 * the root helper (dist/helper.js), hands the channel to a confined printing
 * process (same script, PRINTER_ARGUMENT) and drops to nobody before the
 * first packet arrives; see hostCapture.ts. `-r FILE` needs neither root nor Docker.
 */
import { isCaptureError } from '../protocol/captureErrors';
import { CaptureFileError } from './captureFile';
import { parseCliArguments, USAGE, UsageError, type CliOptions } from './cliArguments';
import { cliReporter, fail, outputFormat, PROGRAM } from './cliOutput';
import { stdoutOutput } from './printerOutput';
import { readFromFile } from './fileCommand';
import { captureOnHost } from './hostCapture';
import { runCapturePrinter } from './capturePrinter';
import { PRINTER_ARGUMENT } from './printerConfig';
import { KEY_LOG_READER_ARGUMENT, runKeyLogReader } from './keyLogReader';
import { chooseCliCapturePath } from './capturePathChoice';
import { captureViaContainer } from './containerCapture';
import { captureMany } from './multiCapture';

async function main(): Promise<void> {
  if (process.argv[2] === PRINTER_ARGUMENT) {
    // The confined printing process the root CLI started (capturePrinter.ts).
    const code = await runCapturePrinter();
    process.stdout.write('', () => process.exit(code));
    return;
  }
  if (process.argv[2] === KEY_LOG_READER_ARGUMENT) {
    // The key log reader the root CLI started as the invoking user (keyLogReader.ts).
    const code = await runKeyLogReader();
    process.exit(code);
  }
  let o: CliOptions;
  try {
    o = parseCliArguments(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || isCaptureError(err)) {
      process.stderr.write(USAGE.split('\n\n')[0] + '\n');
      fail((err as Error).message, 2);
    }
    throw err;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (o.readFile) {
    await readFromFile(o);
    return;
  }
  const path = chooseCliCapturePath(o);
  cliReporter(o.verbose).verbose(`capture path: ${path.backend === 'hostHelper' ? 'host helper' : 'helper container'} (${path.reason})`);
  const many = o.containers.length > 1 || o.project !== undefined;
  const code = many ? await captureMany(o, path.backend) : path.backend === 'helperContainer' ? await captureViaContainer(o, PROGRAM, outputFormat(o), stdoutOutput) : await captureOnHost(o, cliReporter(o.verbose));
  // Let stdout drain before exiting: a JSON array can be large.
  process.stdout.write('', () => process.exit(code));
}

main().catch((err: unknown) => {
  if (isCaptureError(err) || err instanceof CaptureFileError) fail(err.message);
  fail(err instanceof Error ? err.message : String(err));
});
