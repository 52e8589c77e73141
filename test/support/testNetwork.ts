/**
 * The scene most integration tests share: a dual-stack user-defined network
 * with a server container (HTTP on :80, DNS on udp/53 answered from inside
 * its namespace) and a client container attached to that network and to the
 * default bridge, so it has two interfaces plus its loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { docker, ensureDaemon, removeContainers, removeNetwork, REPO, runContainer, uniqueName, type TestContainer } from './dockerFixture';

export interface TestScene {
  network: string;
  server: TestContainer;
  client: TestContainer;
  serverIpv4: string;
  serverIpv6: string;
  clientIpv4: string;
  dispose(): void;
}

export async function createScene(tag: string): Promise<TestScene> {
  ensureDaemon();
  const created: string[] = [];
  const network = uniqueName(`dnc-${tag}-net`);
  try {
    return await buildScene(tag, network, created);
  } catch (err) {
    // A half-built scene is torn down, so a failed run leaves nothing behind.
    removeContainers(...created);
    removeNetwork(network);
    throw err;
  }
}

async function buildScene(tag: string, network: string, created: string[]): Promise<TestScene> {
  // A per-run /24 and /64 so parallel runs never collide; a pool a leftover
  // network (a killed run's) still holds is skipped for another.
  for (let attempt = 0; ; attempt++) {
    const octet = 16 + Math.floor(Math.random() * 200);
    try {
      docker('network', 'create', '--ipv6', '--subnet', `172.31.${octet}.0/24`, '--subnet', `fd00:dc:${octet.toString(16)}::/64`, network);
      break;
    } catch (err) {
      if (attempt >= 8 || !/overlaps/.test(String((err as { stderr?: unknown }).stderr ?? err))) throw err;
    }
  }
  const serverName = uniqueName(`dnc-${tag}-srv`);
  const clientName = uniqueName(`dnc-${tag}-cli`);
  created.push(clientName, serverName);
  const server = runContainer(serverName, ['--network', network], ['httpd', '-f', '-p', '80', '-h', '/www']);
  const serverIpv4 = server.ipv4(network);
  const client = runContainer(clientName, ['--network', network, '--dns', serverIpv4], ['sleep', '3600']);
  docker('network', 'connect', 'bridge', client.name);
  const dns: ChildProcess = spawn('nsenter', ['-t', String(server.pid()), '-n', process.execPath, join(REPO, 'scripts', 'dnsResponder.mjs'), '--answer', '192.0.2.53', '--max-seconds', '600'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: REPO,
  });
  await new Promise<void>((resolve, reject) => {
    dns.stdout?.once('data', () => resolve());
    dns.once('exit', (code) => reject(new Error(`dns responder exited: ${String(code)}`)));
  });
  return {
    network,
    server,
    client,
    serverIpv4,
    serverIpv6: server.ipv6(network),
    clientIpv4: client.ipv4(network),
    dispose() {
      dns.kill();
      removeContainers(client.name, server.name);
      removeNetwork(network);
    },
  };
}
