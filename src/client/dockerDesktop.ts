/**
 * Docker Desktop runs its engine in a VM, even on Linux: a host tcpdump sees
 * none of its containers. Its endpoints are recognisable without a request:
 * the `desktop-linux` context and the socket under ~/.docker/desktop/.
 */
export function isDockerDesktopEndpoint(endpoint: string, contextName: string | undefined): boolean {
  return contextName === 'desktop-linux' || /\/\.docker\/desktop\/docker(-cli)?\.sock$/.test(endpoint) || /\/\.docker\/run\/docker\.sock$/.test(endpoint);
}
