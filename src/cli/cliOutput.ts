/** How the CLI talks: stderr lines with the program's name (stdout: printerOutput.ts). */
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

/**
 * Said at the end of every capture that lost packets, --verbose or not: when
 * stdout is read slower than packets arrive, the CLI stops reading (its memory
 * stays flat) and the kernel drops what tcpdump cannot take.
 */
export function droppedPacketsLine(kernelDrops: number): string {
  return `the kernel dropped ${kernelDrops} packets: they arrived faster than the output was read (or than tcpdump could take them)`;
}
