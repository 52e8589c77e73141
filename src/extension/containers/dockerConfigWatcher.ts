/**
 * Follows `docker context use` in a terminal: when nothing in VS Code names an engine,
 * the current context of ~/.docker/config.json decides, so a change there reconnects
 * the view (debounced: the docker CLI rewrites the file through a temp file + rename).
 */
import * as fs from 'node:fs';
import type * as vscode from 'vscode';
import { dockerConfigDir } from '../../client/dockerContexts';

export function watchDockerConfig(onChange: () => void, debounceMs = 500): vscode.Disposable {
  let watcher: fs.FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // The folder, not the file: a rename replaces the file and would end a file watch.
    watcher = fs.watch(dockerConfigDir(), (_event, name) => {
      if (name !== 'config.json') return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No docker config folder: nothing to follow.
  }
  return {
    dispose: () => {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
