/** How the CLI talks: stderr lines with the program's name, stdout that tolerates a closed pipe. */
import type { CliOptions } from './cliArguments';
import type { OutputFormat } from './packetPrinter';

export const PROGRAM = 'docker-network-capture';

export interface CliReporter {
  /** A line on stderr, always. */
  line(message: string): void;
  warn(message: string): void;
  /** A line on stderr with --verbose only. */
  verbose(message: string): void;
}

export function cliReporter(verbose: boolean): CliReporter {
  const write = (message: string): void => void process.stderr.write(`${PROGRAM}: ${message}\n`);
  return {
    line: write,
    warn: (message) => write(`warning: ${message}`),
    verbose: (message) => {
      if (verbose) write(message);
    },
  };
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`${PROGRAM}: error: ${message}\n`);
  process.exit(code);
}

export function outputFormat(o: CliOptions): OutputFormat {
  return o.json ? 'json' : o.ndjson ? 'ndjson' : 'text';
}

/** Writes to stdout until the reader goes away (`| head`), then calls `onBrokenPipe` once. */
export function stdoutWriter(onBrokenPipe: () => void): (text: string) => void {
  let broken = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' && !broken) {
      broken = true;
      onBrokenPipe();
    }
  });
  return (text) => {
    if (!broken) process.stdout.write(text);
  };
}
