/**
 * The open inspectors (capture tabs and capture files), so a context-menu
 * command can reach them. VS Code gives the command the right-clicked
 * element's context but not its panel: the message goes to every inspector
 * and carries the instance id the webview put in that context.
 */
import type { ToWebviewMessage } from '../../protocol/webviewMessages';

type Post = (message: ToWebviewMessage) => void;

const open = new Set<Post>();
/** Whether each inspector's panel is the active editor (Command Palette actions go there). */
const activity = new Map<Post, () => boolean>();

export function registerInspector(post: Post, isActive?: () => boolean): { dispose(): void } {
  open.add(post);
  if (isActive) activity.set(post, isActive);
  return {
    dispose: () => {
      open.delete(post);
      activity.delete(post);
    },
  };
}

/** Posts to the active inspector; false when no inspector is active. */
export function postToActiveInspector(message: ToWebviewMessage): boolean {
  for (const [post, isActive] of activity) {
    if (isActive()) {
      post(message);
      return true;
    }
  }
  return false;
}

export function postToAllInspectors(message: ToWebviewMessage): void {
  for (const post of open) post(message);
}
