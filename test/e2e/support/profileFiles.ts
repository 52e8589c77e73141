/**
 * Files the extension wrote under a run's VS Code profile (its storage, its logs),
 * found by the folder that holds them: VS Code names the folders by date and window.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The extension's own folder name in the profile (storage and logs alike). */
export const EXTENSION_FOLDER = 'docker-network-capture.docker-network-capture';

/** Files under `root` (at most 6 folders deep) whose folder path ends with `folderEnd`, in name order. */
export function filesInFolders(root: string, folderEnd: string, keep: (name: string) => boolean = () => true): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile() && dir.endsWith(`${sep}${folderEnd}`) && keep(entry.name)) found.push(path);
    }
  };
  walk(root, 0);
  return found;
}
