/**
 * Why the Containers view cannot list anything, as one of the few causes its
 * welcome content explains with a next step (package.json `viewsWelcome`,
 * keyed on the `dockerNetworkCapture.unreachableCause` context). The watcher
 * keeps the full sentence (dockerConnectionErrors.ts words it, naming the
 * endpoint); this reads which of those sentences it is. No `vscode` here.
 */
export type UnreachableCause = 'socketMissing' | 'permissionDenied' | 'connectionRefused' | 'other';

export const UNREACHABLE_CAUSE_CONTEXT = 'dockerNetworkCapture.unreachableCause';

export function unreachableCause(message: string): UnreachableCause {
  if (/: no socket at /.test(message)) return 'socketMissing';
  if (/: permission denied on /.test(message)) return 'permissionDenied';
  if (/exists but no engine answers|: nothing listens on /.test(message)) return 'connectionRefused';
  return 'other';
}
