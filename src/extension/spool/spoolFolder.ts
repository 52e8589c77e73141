/**
 * The folder that holds capture spools: `captures/` in the extension's
 * storage (the workspace's, else the global one), 0700. Spools are
 * short-lived working files, not the user's saved captures:
 * - a closed tab deletes its spool (what the user saved is a separate file);
 * - at activation, spools older than MAX_AGE_DAYS and all but the newest
 *   MAX_SPOOLS are deleted, so tabs that were never closed cannot fill the disk.
 * A tab restored after a reload touches its spool, so an open tab keeps it.
 * No `vscode` here.
 */
import { chmod, lstat, mkdir, readdir, realpath, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sidecarPathOf } from './spoolFile';

export const SPOOL_FOLDER_NAME = 'captures';
export const MAX_AGE_DAYS = 7;
export const MAX_SPOOLS = 20;
/** What CaptureSpool names its files; anything else in state is refused. */
const SPOOL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.pcap$/;

export async function ensureSpoolFolder(storageRoot: string): Promise<string> {
  const folder = join(storageRoot, SPOOL_FOLDER_NAME);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  return folder;
}

/** Deletes old and surplus spools; returns the pcap paths it removed. */
export async function cleanSpoolFolder(folder: string, now = Date.now(), maxAgeDays = MAX_AGE_DAYS, maxSpools = MAX_SPOOLS): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const spools: { path: string; mtime: number }[] = [];
  for (const name of names) {
    if (!SPOOL_NAME.test(name)) continue;
    const path = join(folder, name);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isFile()) spools.push({ path, mtime: info.mtimeMs });
  }
  spools.sort((a, b) => b.mtime - a.mtime);
  const oldest = now - maxAgeDays * 24 * 3600 * 1000;
  const doomed = spools.filter((s, i) => i >= maxSpools || s.mtime < oldest).map((s) => s.path);
  for (const path of doomed) await removeSpool(path);
  // Sidecars whose pcap is gone (a crash between the two deletes).
  for (const name of names) {
    if (!name.endsWith('.pcap.meta')) continue;
    const pcap = join(folder, name.slice(0, -'.meta'.length));
    if (!(await stat(pcap).then(() => true, () => false))) await rm(join(folder, name), { force: true });
  }
  return doomed;
}

export async function removeSpool(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(sidecarPathOf(path), { force: true });
}

/**
 * A spool path read back from a webview's saved state, accepted only if it
 * names a regular file directly inside our spool folder with a name we could
 * have given it. Webview state is written by the webview, a less trusted
 * runtime: without this a crafted state could make us read (and, on close,
 * delete) any file the user can.
 */
export async function validateSpoolPath(folder: string, candidate: unknown): Promise<string | undefined> {
  if (typeof candidate !== 'string' || candidate.length > 4096) return undefined;
  if (!SPOOL_NAME.test(basename(candidate))) return undefined;
  try {
    const realFolder = await realpath(folder);
    if ((await realpath(dirname(candidate))) !== realFolder) return undefined;
    const path = join(realFolder, basename(candidate));
    const info = await lstat(path);
    return info.isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Marks a spool as in use (restored tab), so the age limit counts from now. */
export async function touchSpool(path: string, now = new Date()): Promise<void> {
  await utimes(path, now, now).catch(() => undefined);
}
