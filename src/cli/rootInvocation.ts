/**
 * The command line to give a user who needs root. `sudo npx docker-network-capture`
 * runs whatever npx finds first: a node_modules/.bin/docker-network-capture in
 * any parent of the current directory, or, outside the checkout, a package of
 * that name fetched from the registry. So the line names the runtime and this
 * very script by absolute path, which nothing in the current directory can
 * replace.
 */
import { realpathSync } from 'node:fs';

/** Quotes a word for a POSIX shell when it needs it (for display: nothing here runs a shell). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The running CLI script's own path, symlinks resolved (npm's bin links included). */
export function cliScriptPath(): string {
  try {
    return realpathSync(__filename);
  } catch {
    return __filename;
  }
}

/** `sudo /usr/bin/node /abs/dist/cli.js CONTAINER`. */
export function rootCommandLine(container: string | undefined): string {
  return ['sudo', process.execPath, cliScriptPath()].map(shellWord).join(' ') + ` ${container === undefined ? '<container>' : shellWord(container)}`;
}
