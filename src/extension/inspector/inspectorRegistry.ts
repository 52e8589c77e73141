/**
 * The open inspectors (capture tabs and capture files), so a context-menu
 * command can reach them. VS Code gives the command the right-clicked
 * element's context but not its panel: the message goes to every inspector
 * and carries the instance id the webview put in that context.
 */
import type { ToWebviewMessage } from '../../protocol/webviewMessages';

type Post = (message: ToWebviewMessage) => void;

const open = new Set<Post>();

export function registerInspector(post: Post): { dispose(): void } {
  open.add(post);
  return { dispose: () => open.delete(post) };
}

export function postToAllInspectors(message: ToWebviewMessage): void {
  for (const post of open) post(message);
}
