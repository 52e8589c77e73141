/** What `--tls-keylog` (and the `dockerNetworkCapture.tlsKeyLog` setting) name: a file, or a file in a container. */

export type KeyLogSpec = { kind: 'file'; path: string } | { kind: 'container'; container: string; path: string };

export class KeyLogSpecError extends Error {}

/** `FILE` or `container:NAME:/absolute/path`. */
export function parseKeyLogSpec(text: string): KeyLogSpec {
  if (text === '') throw new KeyLogSpecError('--tls-keylog needs a file or container:NAME:/path');
  if (!text.startsWith('container:')) return { kind: 'file', path: text };
  const rest = text.slice('container:'.length);
  const colon = rest.indexOf(':');
  const container = colon > 0 ? rest.slice(0, colon) : '';
  const path = colon > 0 ? rest.slice(colon + 1) : '';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(container) || !path.startsWith('/')) {
    throw new KeyLogSpecError(`--tls-keylog ${JSON.stringify(text.slice(0, 80))}: expected container:NAME:/absolute/path`);
  }
  return { kind: 'container', container, path };
}

/** For messages: the file, or `container NAME:/path`. */
export function keyLogLabel(spec: KeyLogSpec): string {
  return spec.kind === 'file' ? spec.path : `container ${spec.container}:${spec.path}`;
}
