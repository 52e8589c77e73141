/**
 * Full captures through a tcp+TLS engine, with the CLI as a user runs it: a second
 * private dockerd with --tlsverify on a loopback port (generated CA, server and client
 * certificates), reached with DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH and
 * with a docker context holding the TLS files. The packets of a wget and a ping between
 * two containers of that engine are printed and written to -w; tshark reads the same.
 * Then what a user meets when it goes wrong at the start: nothing listening, the helper
 * image missing on that engine.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName } from '../../src/client/dockerContexts';
import { runCli } from '../support/cliRunner';
import { DOCKER_HOST, ensureDaemon } from '../support/dockerFixture';
import { ensureHelperImages, helpersGone, HELPER_IMAGE } from '../support/helperContainerFixture';
import { freePort } from '../support/freePort';
import { assertAgreesWithTshark, assertHttpAndPing, captureWithCli, startHttpPair, type HttpPair } from '../support/remoteCaptureCheck';
import { startTlsDockerd, type TlsDockerd } from '../support/tlsDockerd';

const contextName = 'dnc-tls-capture';
let engine: TlsDockerd | undefined;
let pair: HttpPair | undefined;
let work = '';
let endpoint = '';

function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: os.userInfo().homedir, DOCKER_CONFIG: path.join(work, 'docker-config') };
}

function tlsEnv(): NodeJS.ProcessEnv {
  return { ...baseEnv(), DOCKER_HOST: endpoint, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine?.certDir };
}

before(async () => {
  ensureDaemon();
  ensureHelperImages();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-rct-'));
  fs.mkdirSync(path.join(work, 'docker-config'));
  engine = await startTlsDockerd();
  endpoint = `tcp://127.0.0.1:${engine.port}`;
  // The helper image, as an operator would have put it on that engine (no registry here).
  const image = execFileSync('docker', ['save', HELPER_IMAGE], { env: { ...process.env, DOCKER_HOST }, maxBuffer: 256 << 20 });
  execFileSync('docker', ['load', '-q'], { input: image, env: tlsEnv(), stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 16 << 20 });
  pair = startHttpPair(engine.docker, 'rct');
});

after(async () => {
  pair?.dispose();
  if (engine) assert.deepEqual(await helpersGone(engine.unixHost), [], 'no helper container left on the TLS engine');
  await engine?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function commonArgs(): string[] {
  return ['--via', 'container', '--helper-image', HELPER_IMAGE, '-f', 'tcp or icmp', pair?.client ?? ''];
}

test('DOCKER_HOST=tcp://127.0.0.1:PORT with TLS: the CLI prints the wget and ping between two containers there, as tshark reads -w', { timeout: 90_000 }, async () => {
  const p = pair as HttpPair;
  const run = await captureWithCli({ args: commonArgs(), env: tlsEnv(), pcap: path.join(work, 'tls.pcap'), traffic: p.traffic });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`docker endpoint: ${endpoint.replace(/\./g, '\\.')}; capturing through helper containers`));
  assert.match(run.stderr, /capturing on eth0, lo/);
  assert.doesNotMatch(run.stderr, /Warning/);
  assertHttpAndPing(assertAgreesWithTshark(run, p.clientIp, assert), p.serverIp, assert);
  assert.deepEqual(await helpersGone(engine?.unixHost), []);
});

test('--context NAME holding the TLS files captures the same way, whatever DOCKER_HOST says', { timeout: 90_000 }, async () => {
  const p = pair as HttpPair;
  const configDir = path.join(work, 'docker-config');
  const hash = contextDirName(contextName);
  fs.mkdirSync(path.join(configDir, 'contexts', 'meta', hash), { recursive: true });
  fs.writeFileSync(path.join(configDir, 'contexts', 'meta', hash, 'meta.json'), JSON.stringify({ Name: contextName, Metadata: {}, Endpoints: { docker: { Host: endpoint, SkipTLSVerify: false } } }));
  const tlsDir = path.join(configDir, 'contexts', 'tls', hash, 'docker');
  fs.mkdirSync(tlsDir, { recursive: true });
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.copyFileSync(path.join(engine?.certDir ?? '', f), path.join(tlsDir, f));
  const run = await captureWithCli({ args: ['--context', contextName, ...commonArgs()], env: { ...baseEnv(), DOCKER_HOST: 'unix:///nonexistent.sock' }, pcap: path.join(work, 'context.pcap'), traffic: p.traffic });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`docker endpoint: ${endpoint.replace(/\./g, '\\.')};`));
  assertHttpAndPing(assertAgreesWithTshark(run, p.clientIp, assert), p.serverIp, assert);
  assert.deepEqual(await helpersGone(engine?.unixHost), []);
});

test('a TLS endpoint where nothing listens: one line naming it, exit 1', { timeout: 60_000 }, async () => {
  const dead = `tcp://127.0.0.1:${await freePort()}`;
  const r = await runCli(commonArgs(), { ...tlsEnv(), DOCKER_HOST: dead }, 45_000);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^docker-network-capture: error: Docker is not reachable at ${dead.replace(/\./g, '\\.')}`));
  assert.equal(r.stdout, '');
  assert.deepEqual(await helpersGone(engine?.unixHost), []);
});

test('a helper image that engine lacks and cannot pull: one line naming the image and the option, nothing left', { timeout: 60_000 }, async () => {
  const image = '127.0.0.1:9/dnc-no-such-helper:latest';
  const r = await runCli(['--via', 'container', '--helper-image', image, pair?.client ?? ''], tlsEnv(), 45_000);
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines[lines.length - 1]?.startsWith(`docker-network-capture: error: the helper image ${image} is not on the Docker engine and could not be pulled (`), true, r.stderr);
  assert.match(r.stderr, /set dockerNetworkCapture\.helperImage \(CLI: --helper-image\)/);
  assert.equal(r.stdout, '');
  assert.deepEqual(await helpersGone(engine?.unixHost), []);
});
