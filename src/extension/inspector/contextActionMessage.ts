/**
 * A context-menu command's argument (the merged `data-vscode-context` of what
 * was right-clicked, see webview/vscodeContext.ts) turned into the action
 * message relayed to the inspectors. The object comes from a webview, a less
 * trusted runtime: only the expected keys, with the expected shapes, go on.
 */
import type { InspectorAction, ToWebviewMessage } from '../../protocol/webviewMessages';

export function contextActionMessage(action: InspectorAction, context: unknown): ToWebviewMessage | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const c = context as Record<string, unknown>;
  if (typeof c.inspector !== 'string' || !/^[0-9a-f]{16}$/.test(c.inspector)) return undefined;
  const message: ToWebviewMessage = { type: 'contextAction', target: c.inspector, action };
  if (typeof c.packet === 'number' && Number.isSafeInteger(c.packet) && c.packet > 0) message.packet = c.packet;
  if (typeof c.column === 'string' && /^[a-z]{1,20}$/.test(c.column)) message.column = c.column;
  if (typeof c.field === 'string' && /^\d{1,4}\.\d{1,4}$/.test(c.field)) message.field = c.field;
  return message;
}
