/**
 * The Compose project the timeline tests capture: Debian's docker-compose, a web
 * server and a client looping requests to it (by IP literal: no DNS leaves the
 * machine), both on the test busybox image, on the project's own network with a
 * fixed subnet. The client's loop is the caller's (bounded), so each test can
 * number its requests as it needs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HOST, IMAGE } from './dockerFixture';

export interface WebClientProjectOptions {
  project: string;
  /** e.g. `172.30.42`: the network is SUBNET.0/24, the web server SUBNET.10. */
  subnet: string;
  /** The client's shell loop (written as is; Compose's `$` is escaped here). */
  clientLoop: string;
  /** A resolver inside the containers (`127.0.0.1`: none), so nothing asks the host's. */
  dns?: string;
}

export interface WebClientProject {
  readonly webIp: string;
  /** docker-compose with this project's name and file; trimmed stdout. */
  compose(...args: string[]): string;
  /** `down`, then the project's folder goes. */
  dispose(): void;
}

export function writeWebClientProject(o: WebClientProjectOptions): WebClientProject {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-compose-'));
  const webIp = `${o.subnet}.10`;
  const dns = o.dns === undefined ? [] : [`    dns: [${JSON.stringify(o.dns)}]`];
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    [
      'version: "2.4"',
      'services:',
      '  web:',
      `    image: ${IMAGE}`,
      '    command: ["httpd", "-f", "-p", "80", "-h", "/www"]',
      ...dns,
      '    networks:',
      '      net:',
      `        ipv4_address: ${webIp}`,
      '  client:',
      `    image: ${IMAGE}`,
      // Compose interpolates $: $$ is a literal one.
      `    command: ["sh", "-c", ${JSON.stringify(o.clientLoop.replace(/\$/g, '$$$$'))}]`,
      ...dns,
      '    networks: [net]',
      'networks:',
      '  net:',
      '    ipam:',
      '      config:',
      `        - subnet: ${o.subnet}.0/24`,
      '',
    ].join('\n'),
  );
  const compose = (...args: string[]): string =>
    execFileSync('docker-compose', ['-p', o.project, '-f', join(dir, 'docker-compose.yml'), ...args], { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 }).trim();
  return {
    webIp,
    compose,
    dispose() {
      try {
        compose('down', '-t', '1');
      } catch {
        // nothing left to remove
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
