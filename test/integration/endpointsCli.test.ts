/**
 * The CLI picks its engine as the docker CLI does: `--context NAME`, else the current
 * context of the docker config folder (DOCKER_CONFIG here), with DOCKER_HOST unset.
 * The contexts point at the project's private daemon; a stopped container there proves
 * the request reached it ("is not running" comes from its inspect).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName } from '../../src/client/dockerContexts';
import { runCli } from '../support/cliRunner';
import { DOCKER_HOST, IMAGE, docker, ensureDaemon, removeContainers, uniqueName } from '../support/dockerFixture';

const stopped = uniqueName('dnc-ep-cli');
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnc-cli-contexts-'));
const noHost = { DOCKER_HOST: '', DOCKER_CONTEXT: '', DOCKER_CONFIG: configDir };

before(() => {
  ensureDaemon();
  docker('create', '--name', stopped, IMAGE, 'true');
  const meta = path.join(configDir, 'contexts', 'meta', contextDirName('dnc-private'));
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: 'dnc-private', Metadata: {}, Endpoints: { docker: { Host: DOCKER_HOST, SkipTLSVerify: false } } }));
});

after(() => {
  removeContainers(stopped);
  fs.rmSync(configDir, { recursive: true, force: true });
});

test('--context NAME sends the CLI to that context’s engine', { timeout: 60_000 }, async () => {
  const r = await runCli(['--verbose', '--context', 'dnc-private', stopped], noHost);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`docker endpoint: ${DOCKER_HOST}`));
  assert.match(r.stderr, new RegExp(`error: Container ${stopped} is not running \\(created\\)`));
});

test('without flags the current context of config.json is used', { timeout: 60_000 }, async () => {
  fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ currentContext: 'dnc-private' }));
  try {
    const r = await runCli(['--verbose', stopped], noHost);
    assert.match(r.stderr, new RegExp(`docker endpoint: ${DOCKER_HOST}`));
    assert.match(r.stderr, /is not running \(created\)/);
  } finally {
    fs.rmSync(path.join(configDir, 'config.json'));
  }
});

test('an unknown context is one line saying so; -d with --context is a usage error', { timeout: 60_000 }, async () => {
  const missing = await runCli(['--context', 'dnc-missing', stopped], noHost);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^docker-network-capture: error: Docker context "dnc-missing" does not exist \(no .*meta\.json\); `docker context ls` lists the contexts\.\n$/);
  const both = await runCli(['-d', DOCKER_HOST, '--context', 'dnc-private', stopped], noHost);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /choose one of -d and --context/);
});
