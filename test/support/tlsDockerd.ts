/**
 * A second, private dockerd that listens on tcp://127.0.0.1:PORT with --tlsverify, for
 * tcp+TLS endpoint tests. It shares nothing with the project's main daemon (own data,
 * exec root, pid file, unix socket) and has its own bridge: a dockerd started with
 * `--bridge=none` deletes the host's docker0 on start (seen here), so it is given a bridge
 * this creates (`-b`), which it uses and leaves alone; the bridge is deleted afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOCKER_HOST, IMAGE, REPO } from './dockerFixture';
import { freePort } from './freePort';

export interface TlsDockerd {
  port: number;
  /** ca.pem, cert.pem, key.pem (the client's), other-ca.pem (a CA that signed nothing here). */
  certDir: string;
  /** This daemon's own unix socket, as a DOCKER_HOST value (set-up and checks only). */
  unixHost: string;
  /** The docker CLI on this daemon's own unix socket (set-up only). */
  docker(...args: string[]): string;
  stop(): Promise<void>;
}

export async function startTlsDockerd(): Promise<TlsDockerd> {
  const id = randomBytes(3).toString('hex');
  const dir = fs.mkdtempSync('/tmp/dnc-tlsd-');
  const certDir = path.join(dir, 'certs');
  fs.mkdirSync(certDir);
  execFileSync('bash', [path.join(REPO, 'test', 'support', 'tls-certs.sh'), certDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const bridge = `dnctls${id}`;
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `10.213.${parseInt(id.slice(0, 2), 16)}.1/24`, 'dev', bridge]);
  const port = await freePort();
  const socket = path.join(dir, 'docker.sock');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'docker.pid'),
      '-b', bridge, '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false', '--storage-driver=vfs',
      '-H', `unix://${socket}`, '-H', `tcp://127.0.0.1:${port}`,
      '--tlsverify', '--tlscacert', path.join(certDir, 'ca.pem'), '--tlscert', path.join(certDir, 'server-cert.pem'), '--tlskey', path.join(certDir, 'server-key.pem'),
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const docker = (...args: string[]): string =>
    execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${socket}` }, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 }).trim();
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    // vfs layers of the imported image; nothing of them is mounted once dockerd is gone.
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`TLS dockerd exited: ${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
      try {
        docker('version');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // The test image, through a pipe: save from the main daemon, load here.
    const image = execFileSync('docker', ['save', IMAGE], { env: { ...process.env, DOCKER_HOST }, maxBuffer: 64 << 20 });
    execFileSync('docker', ['load', '-q'], { input: image, env: { ...process.env, DOCKER_HOST: `unix://${socket}` }, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, certDir, unixHost: `unix://${socket}`, docker, stop };
}
