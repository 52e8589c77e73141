/**
 * Entry of the packet inspector webview (bundled to dist/webview.js). It
 * builds all of its DOM itself: the host page only provides an empty body, the
 * CSP, this script and the stylesheets (see webview/README.md).
 */
import type { ToWebviewMessage } from '../src/protocol/webviewMessages';
import { InspectorApp } from './inspectorApp';
import { getVsCodeApi, restoredState } from './vscodeApi';

const api = getVsCodeApi();
const app = new InspectorApp(api, restoredState(api));

window.addEventListener('message', (event: MessageEvent<ToWebviewMessage>) => {
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
  try {
    app.handle(message);
  } catch (error) {
    api.postMessage({ type: 'error', message: `inspector failed on '${message.type}': ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  }
});

api.postMessage({ type: 'ready' });
