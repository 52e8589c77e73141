/**
 * Oracles: real tools (tshark, tcpdump) whose answer on the same input a test
 * compares ours with. On a developer machine without one, its tests are
 * skipped (and test/run-all.sh counts and prints the skips); under CI=true a
 * missing oracle fails the run instead, because a suite that silently skips
 * its checks reports a pass it did not earn.
 */
import { execFileSync } from 'node:child_process';

const PACKAGE: Record<string, string> = { tshark: 'tshark', tcpdump: 'tcpdump' };

function installed(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** For `{ skip: oracleMissing('tshark') }`: false when the tool is there, else why the test is skipped. Throws under CI=true. */
export function oracleMissing(tool: string): false | string {
  if (installed(tool)) return false;
  const reason = `${tool} is not installed (apt-get install -y ${PACKAGE[tool] ?? tool})`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI=true needs every oracle, a skipped comparison is not a pass`);
  return reason;
}
