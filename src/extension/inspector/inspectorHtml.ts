/**
 * The inspector's HTML shell. The webview script builds the whole UI; the host
 * only provides a strict CSP: nothing loads except our own script (by nonce),
 * styles and fonts from the extension, and images from the extension or data:.
 */
import type { ContainerGroup } from '../capture/containerGroup';

export interface InspectorHtmlInput {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  /**
   * What the host needs back after a window reload (the spool path), kept in
   * the webview's saved state under `host`; see hostStateScript.
   */
  hostState?: InspectorHostState;
}

/** The part of a webview's saved state that belongs to the host. */
export interface InspectorHostState {
  /** Absolute path of the capture's spool (validated before use: webview state is not trusted). */
  spool: string;
  container?: { id: string; name: string };
  /** A capture of several containers: what it captured, for Capture Again after a reload. */
  group?: ContainerGroup;
  /** The capture's direction and BPF filter, for Capture Again after a reload. */
  direction?: 'both' | 'egress' | 'ingress';
  filter?: string;
}

export function buildInspectorHtml(input: InspectorHtmlInput): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${input.nonce}'`,
    `style-src ${input.cspSource}`,
    `font-src ${input.cspSource}`,
    `img-src ${input.cspSource} data:`,
  ].join('; ');
  const styles = input.styleUris.map((u) => `<link rel="stylesheet" href="${escapeAttribute(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
  </head>
  <body></body>
  ${input.hostState ? hostStateScript(input.hostState, input.nonce) : ''}
  <script nonce="${escapeAttribute(input.nonce)}" src="${escapeAttribute(input.scriptUri)}"></script>
</html>`;
}

/**
 * VS Code hands a panel's saved state (whatever the webview last passed to
 * setState) to the serializer after a reload; the webview script owns that
 * state and saves only its UI fields. This script runs first and wraps
 * acquireVsCodeApi so every state it saves also carries `host`, and saves it
 * once right away, so the spool path survives a reload even before the UI
 * saved anything. The webview code is unchanged: it still gets an API with
 * the same three methods.
 */
export function hostStateScript(hostState: InspectorHostState, nonce: string): string {
  // JSON inside <script>: escape what could end the element or break the line.
  const json = JSON.stringify(hostState).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<script nonce="${escapeAttribute(nonce)}">
(() => {
  const host = ${json};
  const real = acquireVsCodeApi();
  const withHost = (state) => Object.assign({}, state, { host });
  real.setState(withHost(real.getState()));
  const api = Object.freeze({
    postMessage: (message) => real.postMessage(message),
    getState: () => real.getState(),
    setState: (state) => real.setState(withHost(state)),
  });
  globalThis.acquireVsCodeApi = () => api;
})();
</script>`;
}

/** A fresh nonce per HTML document: 32 characters from a CSPRNG. */
export function createNonce(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join('');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
