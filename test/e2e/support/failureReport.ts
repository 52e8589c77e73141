/**
 * What a failed end-to-end test prints next to its assertion: the tail of the
 * extension's own log and the notifications on screen. CI keeps only the test
 * output, not the screenshots, so this is what tells a slow start from an
 * error shown to the user.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Harness } from '../harness';
import { EXTENSION_FOLDER, filesInFolders } from './profileFiles';

export function extensionLogTail(userDataDir: string, lines = 25): string[] {
  const logs = join(userDataDir, 'logs');
  if (!existsSync(logs)) return [];
  // Oldest window first: VS Code names each window's log folder by its start time.
  const all = filesInFolders(logs, EXTENSION_FOLDER).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
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
