/**
 * Real containers for integration tests, on the project's private Docker
 * daemon (test/support/docker-daemon.sh). Traffic in tests only ever flows
 * between these containers, by IP literal: no name resolution, no outside
 * address.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const DOCKER_DIR = process.env.DNC_DOCKER_DIR ?? '/tmp/dnc-docker';
export const DOCKER_HOST = `unix://${DOCKER_DIR}/docker.sock`;
export const IMAGE = 'dnc-busybox:latest';
export const REPO = join(__dirname, '..', '..');

export function docker(...args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  }).trim();
}

export function ensureDaemon(): void {
  execFileSync('bash', [join(REPO, 'test', 'support', 'docker-daemon.sh')], { stdio: 'inherit', timeout: 120_000 });
}

/** A unique name prefix per test run, so runs never trip over each other's leftovers. */
export function uniqueName(base: string): string {
  return `${base}-${randomBytes(3).toString('hex')}`;
}

export interface TestContainer {
  name: string;
  id: string;
  ipv4(network?: string): string;
  ipv6(network?: string): string;
  pid(): number;
  exec(...cmd: string[]): string;
}

export function runContainer(name: string, options: string[], command: string[]): TestContainer {
  const id = docker('run', '-d', '--name', name, ...options, IMAGE, ...command);
  const inspect = (format: string): string => docker('inspect', '-f', format, name);
  return {
    name,
    id,
    ipv4: (network = 'bridge') => inspect(`{{(index .NetworkSettings.Networks "${network}").IPAddress}}`),
    ipv6: (network = 'bridge') => inspect(`{{(index .NetworkSettings.Networks "${network}").GlobalIPv6Address}}`),
    pid: () => Number(inspect('{{.State.Pid}}')),
    exec: (...cmd: string[]) => docker('exec', name, ...cmd),
  };
}

export function removeContainers(...names: string[]): void {
  for (const n of names) {
    try {
      docker('rm', '-f', n);
    } catch {
      // already gone
    }
  }
}

export function removeNetwork(name: string): void {
  try {
    docker('network', 'rm', name);
  } catch {
    // already gone
  }
}
