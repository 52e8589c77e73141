/**
 * Each bench part runs in its own Node process (so one part's memory never
 * shows in another's figures) and hands its figures back as one marked line.
 */
const MARK = 'BENCH_RESULT ';

export function reportResult(value: unknown): void {
  process.stdout.write(`${MARK}${JSON.stringify(value)}\n`);
}

export function parseResult<T>(stdout: string): T | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  return line ? (JSON.parse(line.slice(MARK.length)) as T) : undefined;
}

/** Runs a part's main and exits non-zero on failure, printing why. */
export function runPart(main: () => Promise<unknown>): void {
  main().then(
    (value) => {
      reportResult(value);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
