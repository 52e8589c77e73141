/**
 * The end-to-end scene on the private Docker daemon: an HTTP server and a
 * client on a user-defined network. Traffic only ever flows between them, by
 * IP literal; `--dns 127.0.0.1` keeps even an accidental name lookup inside the
 * container.
 */
import { docker, removeContainers, removeNetwork, runContainer, type TestContainer } from '../../support/dockerFixture';

export const SERVER_NAME = 'dnc-e2e-srv';
export const CLIENT_NAME = 'dnc-e2e-cli';
export const NETWORK_NAME = 'dnc-e2e-net';
/** What busybox httpd serves (test/support/docker-daemon.sh writes it). */
export const SERVED_TEXT = 'hello from dnc';

export interface Scene {
  server: TestContainer;
  client: TestContainer;
  serverIp: string;
  clientIp: string;
  /** One HTTP GET from the client to the server; returns the body the client got. */
  fetchFromServer(): string;
  dispose(): void;
}

export function createScene(): Scene {
  // Leftovers of an aborted run would make `docker run --name` fail.
  removeContainers(CLIENT_NAME, SERVER_NAME);
  removeNetwork(NETWORK_NAME);
  docker('network', 'create', NETWORK_NAME);
  const options = ['--network', NETWORK_NAME, '--dns', '127.0.0.1'];
  const server = runContainer(SERVER_NAME, options, ['httpd', '-f', '-p', '80', '-h', '/www']);
  const client = runContainer(CLIENT_NAME, options, ['sleep', '3600']);
  const serverIp = server.ipv4(NETWORK_NAME);
  const clientIp = client.ipv4(NETWORK_NAME);
  return {
    server,
    client,
    serverIp,
    clientIp,
    fetchFromServer: () => client.exec('wget', '-q', '-O', '-', `http://${serverIp}/`),
    dispose() {
      removeContainers(CLIENT_NAME, SERVER_NAME);
      removeNetwork(NETWORK_NAME);
    },
  };
}

/** `docker kill`, not `stop`: httpd as PID 1 ignores SIGTERM, and stop would wait 10 s. */
export function killContainer(name: string): void {
  docker('kill', name);
}
