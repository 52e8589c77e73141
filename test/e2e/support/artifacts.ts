/**
 * One folder per end-to-end run (.test-artifacts/e2e/<timestamp>/), one
 * sub-folder per test file: screenshots of each step and the logs, so a person
 * can look at what the user saw.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO } from './environment';

/** run.sh sets DNC_E2E_ARTIFACTS so every test file of a run shares one folder. */
export function runArtifactsDir(): string {
  const fromRunner = process.env.DNC_E2E_ARTIFACTS;
  if (fromRunner) return fromRunner;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(REPO, '.test-artifacts', 'e2e', stamp);
}

export function testArtifactsDir(testFile: string): string {
  const dir = join(runArtifactsDir(), basename(testFile).replace(/\.test\.ts$/, ''));
  mkdirSync(dir, { recursive: true });
  return dir;
}
