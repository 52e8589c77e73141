/**
 * What a failed end-to-end test prints next to its assertion: the tail of the
 * extension's own log and the notifications on screen. CI keeps only the test
 * output, not the screenshots, so this is what tells a slow start from an
 * error shown to the user.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Harness } from '../harness';

const EXTENSION_LOG_FOLDER = 'docker-network-capture.docker-network-capture';

/** Every log file the extension wrote under `logsRoot`, oldest window first. */
function extensionLogFiles(logsRoot: string): string[] {
  if (!existsSync(logsRoot)) return [];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (dir.endsWith(EXTENSION_LOG_FOLDER)) files.push(path);
    }
  };
  walk(logsRoot);
  return files;
}

export function extensionLogTail(userDataDir: string, lines = 25): string[] {
  const all = extensionLogFiles(join(userDataDir, 'logs')).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  return all.slice(-lines);
}

export async function failureReport(harness: Harness, testName: string): Promise<string> {
  const notices = await harness.workbench.notifications().catch((e: unknown) => [`(could not read them: ${String(e)})`]);
  const log = extensionLogTail(harness.server.userDataDir);
  return [
    `e2e failure report for "${testName}":`,
    `  notifications: ${notices.length ? notices.join(' | ') : '(none)'}`,
    `  extension log, last ${log.length} lines:`,
    ...log.map((l) => `    ${l}`),
  ].join('\n');
}
