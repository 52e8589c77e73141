/**
 * Where a program is on PATH, found as the shell would find it but without one: each PATH
 * folder in order, the first regular file there that this user may execute.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

export async function findExecutable(name: string, pathVariable = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const folder of pathVariable.split(delimiter)) {
    // A relative PATH entry would depend on the extension host's working folder: never trusted.
    if (!folder || !isAbsolute(folder)) continue;
    const candidate = join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not there, or not executable: the next folder.
    }
  }
  return undefined;
}
